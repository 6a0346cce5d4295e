namespace Hermes.Identity;

/// <summary>
/// An account admitted through pairing or linking (not through identities.yaml): what
/// <c>Pairings.ListPairedAsync</c> lists and what an approval or a link returns.
/// </summary>
public sealed class PairedAccount
{
    internal PairedAccount(string account, string profileKey, string? role, bool isLink, string approvedBy, DateTimeOffset pairedAt)
    {
        Account = account;
        ProfileKey = profileKey;
        Role = role;
        IsLink = isLink;
        ApprovedBy = approvedBy;
        PairedAt = pairedAt;
    }

    /// <summary>The account, <c>platform:userId</c>.</summary>
    public string Account { get; }

    /// <summary>The profile the account resolves to.</summary>
    public string ProfileKey { get; }

    /// <summary>
    /// The role chosen when a new person was paired; <see langword="null"/> when the account was linked to a person
    /// configured in identities.yaml, whose role comes from there.
    /// </summary>
    public string? Role { get; }

    /// <summary>Whether the account was added to an existing person (a link) rather than pairing a new one.</summary>
    public bool IsLink { get; }

    /// <summary>The profile key of whoever approved it (for a self-service link, the person themselves).</summary>
    public string ApprovedBy { get; }

    /// <summary>When it was approved or linked.</summary>
    public DateTimeOffset PairedAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Account} → {ProfileKey}{(Role is null ? string.Empty : " (" + Role + ")")}";
}
