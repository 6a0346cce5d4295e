namespace Hermes.Identity;

/// <summary>
/// A one-time code a known person asked for in their own turn (<c>Pairings.CreateLinkCodeAsync</c>) and sends
/// from another account: <c>Pairings.LinkAsync</c> then adds that account to them.
/// </summary>
public sealed class LinkCode
{
    internal LinkCode(string code, string profileKey, DateTimeOffset expiresAt)
    {
        Code = code;
        ProfileKey = profileKey;
        ExpiresAt = expiresAt;
    }

    /// <summary>The code: 8 characters from <c>ACDEFGHJKMNPQRTUVWXY23456789</c>. Show it only in a direct chat: whoever sends it first is linked.</summary>
    public string Code { get; }

    /// <summary>The person the code links an account to.</summary>
    public string ProfileKey { get; }

    /// <summary>When the code stops working.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"link code for {ProfileKey} (expires {ExpiresAt:u})";
}
