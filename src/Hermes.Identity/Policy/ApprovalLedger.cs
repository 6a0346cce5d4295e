namespace Hermes.Identity.Policy;

// Approvals granted, and approvals used. Each grant is consumed by the first call that matches it exactly and
// expires PolicyOptions.ApprovalLifetime after it was given; a used one is remembered until then, so granting the
// same request again after its call ran is refused instead of letting the call run twice. A request itself expires
// ApprovalLifetime after the engine asked for it (ApprovalRequest.ExpiresAt), which is never later than any grant
// of it would, so by the time a used entry is forgotten every grant of its request is refused as expired.
// Bounded: live entries, waiting or used, count towards Capacity, so a flood of grants cannot grow it forever.
internal sealed class ApprovalLedger
{
    public const int Capacity = 10_000;

    private readonly Dictionary<ApprovalKey, Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private int _waiting; // granted and not yet used (expired ones included until swept)

    public ApprovalLedger(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    public enum GrantOutcome
    {
        Granted,
        AlreadyUsed,
        Expired,
        Full,
    }

    /// <summary>True when no approval waits to be used: the calls that need one need not look.</summary>
    public bool IsEmpty => Volatile.Read(ref _waiting) == 0;

    /// <summary>A request for this exact call, good for <see cref="PolicyOptions.ApprovalLifetime"/> from now.</summary>
    public ApprovalRequest Issue(string profileKey, string turnId, string toolCallId, string argumentsDigest, string action, string? resource) =>
        new(profileKey, turnId, toolCallId, argumentsDigest, action, resource, _time.GetUtcNow() + _lifetime);

    /// <summary>
    /// Records an approval of <paramref name="request"/> by <paramref name="approver"/>. Refused when its call already
    /// ran on an approval, when the request has expired, or when the ledger is full of live entries. Granting a request
    /// whose approval still waits to be used changes nothing.
    /// </summary>
    public GrantOutcome Grant(ApprovalRequest request, string approver)
    {
        var key = request.Key;
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Expires > now)
            {
                return entry.Used ? GrantOutcome.AlreadyUsed : GrantOutcome.Granted;
            }

            if (request.ExpiresAt <= now)
            {
                return GrantOutcome.Expired;
            }

            if (_entries.Count >= Capacity)
            {
                Sweep(now);
                if (_entries.Count >= Capacity)
                {
                    return GrantOutcome.Full;
                }
            }

            if (_entries.Remove(key, out var stale) && !stale.Used)
            {
                _waiting--;
            }

            _entries.Add(key, new Entry(approver, now + _lifetime, Used: false));
            _waiting++;
            return GrantOutcome.Granted;
        }
    }

    /// <summary>Uses up the approval for exactly this call, if there is a live one, and remembers that it was used.</summary>
    public bool TryConsume(ApprovalKey key, out string approver)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && !entry.Used && entry.Expires > now)
            {
                _entries[key] = entry with { Used = true };
                _waiting--;
                approver = entry.Approver;
                return true;
            }
        }

        approver = string.Empty;
        return false;
    }

    private void Sweep(DateTimeOffset now)
    {
        List<ApprovalKey>? expired = null;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                (expired ??= []).Add(key);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var key in expired)
        {
            if (_entries.Remove(key, out var entry) && !entry.Used)
            {
                _waiting--;
            }
        }
    }

    private readonly record struct Entry(string Approver, DateTimeOffset Expires, bool Used);
}
