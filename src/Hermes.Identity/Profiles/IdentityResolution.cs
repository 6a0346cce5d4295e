namespace Hermes.Identity;

/// <summary>
/// The answer to "who sent this message": an admitted profile, or a rejection with a reason.
/// The default value is a rejection, so an unset resolution never admits anyone.
/// </summary>
public readonly struct IdentityResolution
{
    private IdentityResolution(SenderEnvelope sender, AgentProfile? profile, string? rejectionReason, string revision)
    {
        Sender = sender;
        Profile = profile;
        _rejectionReason = rejectionReason;
        Revision = revision;
    }

    /// <summary>The envelope that was resolved.</summary>
    public SenderEnvelope? Sender { get; }

    /// <summary>The admitted profile, or <see langword="null"/> when the sender was rejected.</summary>
    public AgentProfile? Profile { get; }

    /// <summary>Why the sender was rejected; <see langword="null"/> when admitted.</summary>
    public string? RejectionReason => Profile is null ? _rejectionReason ?? "The sender was not resolved." : null;

    private readonly string? _rejectionReason;

    /// <summary>The revision of the identity configuration the answer was made under.</summary>
    public string? Revision { get; }

    /// <summary>Whether the sender was admitted.</summary>
    public bool IsAdmitted => Profile is not null && Sender is not null;

    /// <summary>An admitted sender.</summary>
    public static IdentityResolution Admitted(SenderEnvelope sender, AgentProfile profile, string revision)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(revision);
        return new IdentityResolution(sender, profile, null, revision);
    }

    /// <summary>A rejected sender.</summary>
    /// <param name="sender">The envelope that was resolved.</param>
    /// <param name="reason">Why, in words safe to show the sender.</param>
    /// <param name="revision">The configuration revision.</param>
    public static IdentityResolution Rejected(SenderEnvelope sender, string reason, string revision)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new IdentityResolution(sender, null, reason, revision);
    }

    /// <inheritdoc />
    public override string ToString() => IsAdmitted ? $"{Sender} → {Profile}" : $"{Sender} rejected: {RejectionReason}";
}
