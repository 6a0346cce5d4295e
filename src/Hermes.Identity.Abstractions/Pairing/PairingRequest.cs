namespace Hermes.Identity;

/// <summary>
/// A pending pairing request: the one-time code an unknown sender was given in a direct chat under
/// <c>unknown_senders: pair</c>, which a holder of <c>identity.admin</c> approves or denies with
/// <c>Pairings</c>. Found on <c>IdentityResolution.PairingRequest</c> (reply with the code) and in
/// <c>Pairings.ListPendingAsync</c>.
/// </summary>
public sealed class PairingRequest
{
    internal PairingRequest(string platform, string code, string account, string? displayName, DateTimeOffset requestedAt, DateTimeOffset expiresAt, bool isNew)
    {
        Platform = platform;
        Code = code;
        Account = account;
        DisplayName = displayName;
        RequestedAt = requestedAt;
        ExpiresAt = expiresAt;
        IsNew = isNew;
    }

    /// <summary>The platform the code was issued on: approve it with the same platform.</summary>
    public string Platform { get; }

    /// <summary>The code: 8 characters from <c>ACDEFGHJKMNPQRTUVWXY23456789</c> (no look-alikes).</summary>
    public string Code { get; }

    /// <summary>The account that asked, <c>platform:userId</c>: the one admitted if the code is approved.</summary>
    public string Account { get; }

    /// <summary>The display name the sender showed when asking. Untrusted: anyone can call themselves anything.</summary>
    public string? DisplayName { get; }

    /// <summary>When the code was issued.</summary>
    public DateTimeOffset RequestedAt { get; }

    /// <summary>When the code stops being approvable.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// Whether this code was issued by the resolution that carries it (tell the owner someone is waiting); <see langword="false"/>
    /// when the sender asked again and got their pending code back, and in <c>Pairings.ListPendingAsync</c>.
    /// </summary>
    public bool IsNew { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Account} code {Code} (expires {ExpiresAt:u})";
}
