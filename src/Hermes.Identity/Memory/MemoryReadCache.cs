namespace Hermes.Identity.Memory;

// Parsed memory files, kept while their size and write time stay the same, so the prompt's memory read
// is a stat rather than a read and a parse. A file written within RacyWindow of being cached is not
// trusted later: two writes inside one tick of the file system's clock can leave the same stamp (git's
// "racily clean" rule). "Now" is the injected TimeProvider's. At most Capacity files are kept; the one
// used longest ago goes first, so strangers passing through cannot grow it.
internal sealed class MemoryReadCache
{
    public const int DefaultCapacity = 4_096;

    // Length of an entry that records "the file did not exist".
    private const long Absent = -1;

    private static readonly TimeSpan RacyWindow = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, LinkedListNode<Entry>> _byPath = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byUse = new();
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;

    public MemoryReadCache(TimeProvider time, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _time = time;
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _byPath.Count;
            }
        }
    }

    /// <summary>The entries cached for <paramref name="path"/> if the file still has this size and write time.</summary>
    public bool TryGet(string path, long length, DateTime lastWriteUtc, out CachedMemoryEntries entries)
    {
        lock (_sync)
        {
            if (_byPath.TryGetValue(path, out var node)
                && node.Value.Length == length
                && node.Value.LastWriteUtc == lastWriteUtc
                && node.Value.LastWriteUtc < node.Value.CachedAtUtc - RacyWindow)
            {
                _byUse.Remove(node);
                _byUse.AddFirst(node);
                entries = node.Value.Entries;
                return true;
            }
        }

        entries = CachedMemoryEntries.None;
        return false;
    }

    /// <summary>Whether <paramref name="path"/> was last seen missing, and the (empty) entries kept for it then.</summary>
    public bool WasAbsent(string path, out CachedMemoryEntries entries)
    {
        lock (_sync)
        {
            if (_byPath.TryGetValue(path, out var node) && node.Value.Length == Absent)
            {
                entries = node.Value.Entries;
                return true;
            }
        }

        entries = CachedMemoryEntries.None;
        return false;
    }

    /// <summary>Caches <paramref name="entries"/>, read from a file of this size and write time (stamp it before reading).</summary>
    public void Set(string path, long length, DateTime lastWriteUtc, CachedMemoryEntries entries) =>
        Put(new Entry(path, length, lastWriteUtc, _time.GetUtcNow().UtcDateTime, entries));

    /// <summary>Records that <paramref name="path"/> does not exist.</summary>
    public void SetAbsent(string path, CachedMemoryEntries empty) => Put(new Entry(path, Absent, default, default, empty));

    public void Remove(string path)
    {
        lock (_sync)
        {
            if (_byPath.Remove(path, out var node))
            {
                _byUse.Remove(node);
            }
        }
    }

    private void Put(Entry entry)
    {
        lock (_sync)
        {
            if (_byPath.Remove(entry.Path, out var old))
            {
                _byUse.Remove(old);
            }
            else if (_byPath.Count == Capacity)
            {
                var last = _byUse.Last!;
                _byUse.RemoveLast();
                _byPath.Remove(last.Value.Path);
            }

            _byPath.Add(entry.Path, _byUse.AddFirst(entry));
        }
    }

    private sealed record Entry(string Path, long Length, DateTime LastWriteUtc, DateTime CachedAtUtc, CachedMemoryEntries Entries);
}
