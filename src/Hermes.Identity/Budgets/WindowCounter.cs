namespace Hermes.Identity.Budgets;

// One count of one person in one kind of window (turns per hour, tokens per day), as this process knows it. The window
// and the count are packed into one long, so a check-and-add is one compare-and-swap: concurrent callers never take
// more than the limit between them, and a new window starts from 0 without a lock.
//
// Synced is what the state store held for this counter when this process last synchronised it (the flusher alone
// reads and writes it, under the ledger's flush lock): what was counted here since is the difference.
internal sealed class WindowCounter
{
    private const int CountBits = 40;
    public const long MaxCount = (1L << CountBits) - 1;

    private long _used;

    public WindowCounter(string storedName, BudgetWindow window, long storedWindow, long storedCount)
    {
        StoredName = storedName;
        Window = window;
        _used = Pack(storedWindow, storedCount);
        SyncedWindow = storedWindow;
        SyncedCount = storedCount;
    }

    /// <summary><c>turns/h</c>: the counter's name in the stored record.</summary>
    public string StoredName { get; }

    public BudgetWindow Window { get; }

    public long SyncedWindow { get; set; }

    public long SyncedCount { get; set; }

    // Adds amount if the count in window stays within limit; used is the count before the add (when refused: what made it refuse).
    public bool TryAdd(long window, long amount, long limit, out long used)
    {
        while (true)
        {
            var packed = Volatile.Read(ref _used);
            var (w, c) = Current(packed, window);
            used = c;
            if (c + amount > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, Pack(w, c + amount), packed) == packed)
            {
                return true;
            }
        }
    }

    /// <summary>Adds <paramref name="amount"/> whatever the limit (tokens already spent are counted).</summary>
    public void Add(long window, long amount)
    {
        while (true)
        {
            var packed = Volatile.Read(ref _used);
            var (w, c) = Current(packed, window);
            if (Interlocked.CompareExchange(ref _used, Pack(w, Math.Clamp(c + amount, 0, MaxCount)), packed) == packed)
            {
                return;
            }
        }
    }

    /// <summary>Takes back an add made in <paramref name="window"/> (a call refused by another budget); nothing if the window has moved on.</summary>
    public void Remove(long window, long amount)
    {
        while (true)
        {
            var packed = Volatile.Read(ref _used);
            if (packed >>> CountBits != window)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _used, Pack(window, Math.Max(0, (packed & MaxCount) - amount)), packed) == packed)
            {
                return;
            }
        }
    }

    /// <summary>The count in window <paramref name="window"/> (0 when the count is of an earlier window).</summary>
    public long Read(long window) => Current(Volatile.Read(ref _used), window).Count;

    /// <summary>The window and count as they are, for the flusher.</summary>
    public (long Window, long Count) ReadRaw()
    {
        var packed = Volatile.Read(ref _used);
        return (packed >>> CountBits, packed & MaxCount);
    }

    /// <summary>After a sync: what others counted in <paramref name="window"/> since the last one is added here, unless the window has moved on.</summary>
    public void AddExternal(long window, long external)
    {
        if (external == 0)
        {
            return;
        }

        while (true)
        {
            var packed = Volatile.Read(ref _used);
            if (packed >>> CountBits != window)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _used, Pack(window, Math.Clamp((packed & MaxCount) + external, 0, MaxCount)), packed) == packed)
            {
                return;
            }
        }
    }

    /// <summary>The store is in a later window than this process (a clock behind): take the store's count if this counter is still in an earlier window.</summary>
    public bool AdoptLaterWindow(long window, long count)
    {
        while (true)
        {
            var packed = Volatile.Read(ref _used);
            if (packed >>> CountBits >= window)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, Pack(window, count), packed) == packed)
            {
                return true;
            }
        }
    }

    // A count of an earlier window is 0 in this one; a count of a later window (the clock stepped back) stays in force.
    private static (long Window, long Count) Current(long packed, long window)
    {
        var w = packed >>> CountBits;
        return w < window ? (window, 0) : (w, packed & MaxCount);
    }

    private static long Pack(long window, long count) => (window << CountBits) | Math.Clamp(count, 0, MaxCount);
}
