namespace Hermes.Identity;

/// <summary>
/// The answer to "who sent this message": an admitted profile, or a rejection with a reason.
/// Only the library's resolver makes one, from the identity configuration in force; a turn begins only
/// from an admitted resolution, and is checked again against the configuration when it begins.
/// </summary>
public sealed class IdentityResolution
{
    private IdentityResolution(SenderEnvelope sender, AgentProfile? profile, string? rejectionReason, string revision, PairingRequest? pairingRequest = null)
    {
        Sender = sender;
        Profile = profile;
        RejectionReason = profile is null ? rejectionReason ?? "The sender was not resolved." : null;
        Revision = revision;
        PairingRequest = profile is null ? pairingRequest : null;
    }

    /// <summary>The envelope that was resolved.</summary>
    public SenderEnvelope Sender { get; }

    /// <summary>The admitted profile, or <see langword="null"/> when the sender was rejected.</summary>
    public AgentProfile? Profile { get; }

    /// <summary>Why the sender was rejected, in words safe to show them; <see langword="null"/> when admitted.</summary>
    public string? RejectionReason { get; }

    /// <summary>The revision of the identity configuration the answer was made under.</summary>
    public string Revision { get; }

    /// <summary>
    /// Under <c>unknown_senders: pair</c>, the pending pairing code of a rejected sender in a direct chat (new, or the one
    /// they were given earlier): reply with <see cref="RejectionReason"/>, which names the code and says to ask the owner.
    /// <see langword="null"/> when admitted, when no code was given (asked again too soon, too many pending, not a
    /// direct chat), and under other policies.
    /// </summary>
    public PairingRequest? PairingRequest { get; }

    /// <summary>Whether the sender was admitted.</summary>
    public bool IsAdmitted => Profile is not null;

    internal static IdentityResolution Admitted(SenderEnvelope sender, AgentProfile profile, string revision) => new(sender, profile, null, revision);

    internal static IdentityResolution Rejected(SenderEnvelope sender, string reason, string revision) => new(sender, null, reason, revision);

    internal static IdentityResolution Rejected(SenderEnvelope sender, string reason, string revision, PairingRequest? pairingRequest) => new(sender, null, reason, revision, pairingRequest);

    /// <inheritdoc />
    public override string ToString() => IsAdmitted ? $"{Sender} → {Profile}" : $"{Sender} rejected: {RejectionReason}";
}
