namespace Hermes.Identity.Pairing;

/// <summary>
/// The limits of pairing and linking (<c>unknown_senders: pair</c>, <see cref="Pairings"/>). The defaults are the limits
/// Hermes Agent and OpenClaw use. Set them with <c>ConfigurePairing</c>; they are validated when the host starts.
/// </summary>
public sealed class PairingOptions
{
    /// <summary>How long a pairing code can be approved. 1 minute to 7 days; default: 1 hour.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many codes may wait for approval on one platform at once; further unknown senders get none until one is approved, denied or expires. 1 to 100; default: 3.</summary>
    public int MaxPendingPerPlatform { get; set; } = 3;

    /// <summary>
    /// How often one sender may be given a code: within this time of their last code they get that code back while it
    /// is pending, and nothing once it is not. 1 second to 1 day; default: 10 minutes.
    /// </summary>
    public TimeSpan RequestInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How many failed attempts (an unknown code, or a code of another platform) within <see cref="LockoutDuration"/>
    /// lock approvals on a platform, and separately links from a platform. 1 to 100; default: 5.
    /// </summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>How long a lock-out lasts, and how long a failed attempt counts toward one. 1 minute to 7 days; default: 1 hour.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a link code works. 1 minute to 1 day; default: 10 minutes.</summary>
    public TimeSpan LinkCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a sender whose link attempt failed must wait before trying again. 0 to 1 hour; default: 1 minute.</summary>
    public TimeSpan LinkRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the paired accounts are read again from the state store, so that approvals, links and revocations made
    /// by another process sharing the store take effect here. 100 ms to 1 minute; default: 1 second.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
