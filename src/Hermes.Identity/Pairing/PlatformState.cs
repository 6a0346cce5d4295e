namespace Hermes.Identity.Pairing;

// The state store record of one platform (kind "pairing.platform", key the platform): its pending codes, who asked
// recently, the codes used lately, and the failed attempts and locks of approvals and links there. One record, changed
// by compare-and-swap, so the cap on pending codes and the lock-outs hold across processes.
internal sealed class PlatformState
{
    public List<PendingCode> Pending { get; set; } = [];

    // Senders given a code, kept for PairingOptions.RequestInterval: they get no new code until then.
    public List<SenderMark> Recent { get; set; } = [];

    // Codes approved or denied, kept for PairingOptions.CodeLifetime so a second use says "already used".
    public List<UsedCode> Used { get; set; } = [];

    public List<DateTimeOffset> ApprovalFailures { get; set; } = [];

    public DateTimeOffset? ApprovalLockedUntil { get; set; }

    public List<DateTimeOffset> LinkFailures { get; set; } = [];

    public DateTimeOffset? LinkLockedUntil { get; set; }

    // Senders whose link attempt failed, kept for PairingOptions.LinkRetryInterval.
    public List<SenderMark> LinkRetries { get; set; } = [];

    // Drops what no longer matters at `now`: codes expired for longer than their lifetime (until then, "expired" is
    // the answer), marks past their window, failures older than the lock-out, a lock that has ended.
    public void Prune(DateTimeOffset now, PairingOptions options)
    {
        Pending.RemoveAll(p => p.ExpiresAt + options.CodeLifetime <= now);
        Recent.RemoveAll(r => r.At + options.RequestInterval <= now);
        Used.RemoveAll(u => u.At + options.CodeLifetime <= now);
        ApprovalFailures.RemoveAll(f => f + options.LockoutDuration <= now);
        LinkFailures.RemoveAll(f => f + options.LockoutDuration <= now);
        LinkRetries.RemoveAll(r => r.At + options.LinkRetryInterval <= now);
        if (ApprovalLockedUntil <= now)
        {
            ApprovalLockedUntil = null;
        }

        if (LinkLockedUntil <= now)
        {
            LinkLockedUntil = null;
        }
    }
}
