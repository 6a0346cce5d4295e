using System.Collections.Concurrent;

namespace Hermes.Identity.Policy;

// Approvals granted and not yet used. Each is consumed by the first call that matches it exactly, and
// expires after PolicyOptions.ApprovalLifetime. Bounded, so a flood of grants cannot grow it forever.
internal sealed class ApprovalLedger
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<ApprovalKey, (string Approver, DateTimeOffset Expires)> _granted = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public ApprovalLedger(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    public bool IsEmpty => _granted.IsEmpty;

    /// <summary>Records an approval by <paramref name="approver"/>; false when the ledger is full of live approvals.</summary>
    public bool Grant(ApprovalKey key, string approver)
    {
        var now = _time.GetUtcNow();
        if (_granted.Count >= Capacity)
        {
            foreach (var (k, v) in _granted)
            {
                if (v.Expires <= now)
                {
                    _granted.TryRemove(k, out _);
                }
            }

            if (_granted.Count >= Capacity)
            {
                return false;
            }
        }

        _granted[key] = (approver, now + _lifetime);
        return true;
    }

    /// <summary>Uses up the approval for exactly this call, if there is a live one.</summary>
    public bool TryConsume(ApprovalKey key, out string approver)
    {
        if (_granted.TryRemove(key, out var grant) && grant.Expires > _time.GetUtcNow())
        {
            approver = grant.Approver;
            return true;
        }

        approver = string.Empty;
        return false;
    }
}
