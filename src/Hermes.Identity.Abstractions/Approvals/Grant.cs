namespace Hermes.Identity;

/// <summary>
/// A grant limited in time and uses, as the state store holds it: "Mei may use <c>tool.exec</c> 3 times in the next
/// hour". Issued with <c>Grants.IssueAsync</c> by a holder of <c>approval.grant</c>; while it has uses
/// left and has not expired, it turns the roles' default deny (no rule allows the action) or their
/// <see cref="PolicyEffect.RequireApproval"/> into an allow, one use per allowed call. An explicit deny rule still wins.
/// </summary>
public sealed class Grant
{
    internal Grant(string id, string profileKey, string actionPattern, string issuedBy, int uses, int usesLeft, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        Id = id;
        ProfileKey = profileKey;
        ActionPattern = actionPattern;
        IssuedBy = issuedBy;
        Uses = uses;
        UsesLeft = usesLeft;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
    }

    /// <summary>The grant's code: 8 characters without look-alikes, for revoking it.</summary>
    public string Id { get; }

    /// <summary>The profile it is for.</summary>
    public string ProfileKey { get; }

    /// <summary>What it covers: an action (<c>tool.exec</c>) or a <c>prefix.*</c> pattern (<c>tool.files.*</c>).</summary>
    public string ActionPattern { get; }

    /// <summary>The profile that issued it: the grant works only while that profile still holds <c>approval.grant</c> and the action itself.</summary>
    public string IssuedBy { get; }

    /// <summary>How many uses it was issued with.</summary>
    public int Uses { get; }

    /// <summary>How many uses are left, as of when it was read.</summary>
    public int UsesLeft { get; }

    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary>When it stops working, uses left or not.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"grant {Id}: {ProfileKey} may use {ActionPattern} {UsesLeft} of {Uses} times until {ExpiresAt:u} (by {IssuedBy})";
}
