namespace Hermes.Identity.Memory;

// Parsed memory files, kept while they are known unchanged, so the prompt's memory read is neither a read nor a
// parse. Known two ways. Watched: the entry recorded its folder's watch generation before the file was read, and the
// generation has not moved since, so the file is trusted without asking the file system or the clock (the watcher
// moves every generation at least once a second, which bounds what a watch cannot see: another machine's write on a
// network file system, a folder swapped in above the watch). Checked: the file still has the size and write time it had when read; a file written within
// RacyWindow of being cached is not trusted that way, since two writes inside one tick of the file system's clock can
// leave the same stamp (git's "racily clean" rule). "Now" is the injected TimeProvider's. At most Capacity files are
// kept; the one used longest ago goes first, so strangers passing through cannot grow it.
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

    /// <summary>The entries cached for <paramref name="path"/> if its folder's watch has seen no change since they were read or checked: no system call.</summary>
    public bool TryGetWatched(string path, out CachedMemoryEntries entries)
    {
        lock (_sync)
        {
            if (_byPath.TryGetValue(path, out var node)
                && node.Value.Watch is { } watch
                && watch.Generation == node.Value.Generation)
            {
                Touch(node);
                entries = node.Value.Entries;
                return true;
            }
        }

        entries = CachedMemoryEntries.None;
        return false;
    }

    /// <summary>
    /// The entries cached for <paramref name="path"/> if the file still has this size and write time; the entry then
    /// trusts <paramref name="watched"/> (taken before the file was checked) until the folder changes.
    /// </summary>
    public bool TryGet(string path, long length, DateTime lastWriteUtc, (MemoryFolderWatch Watch, int Generation)? watched, out CachedMemoryEntries entries)
    {
        lock (_sync)
        {
            if (_byPath.TryGetValue(path, out var node)
                && node.Value.Length == length
                && node.Value.LastWriteUtc == lastWriteUtc
                && node.Value.LastWriteUtc < node.Value.CachedAtUtc - RacyWindow)
            {
                Checked(node, watched);
                entries = node.Value.Entries;
                return true;
            }
        }

        entries = CachedMemoryEntries.None;
        return false;
    }

    /// <summary>Whether <paramref name="path"/> was last seen missing, and the (empty) entries kept for it then; the entry then trusts <paramref name="watched"/>.</summary>
    public bool WasAbsent(string path, (MemoryFolderWatch Watch, int Generation)? watched, out CachedMemoryEntries entries)
    {
        lock (_sync)
        {
            if (_byPath.TryGetValue(path, out var node) && node.Value.Length == Absent)
            {
                Checked(node, watched);
                entries = node.Value.Entries;
                return true;
            }
        }

        entries = CachedMemoryEntries.None;
        return false;
    }

    /// <summary>Caches <paramref name="entries"/>, read from a file of this size and write time (stamp it and take <paramref name="watched"/> before reading).</summary>
    public void Set(string path, long length, DateTime lastWriteUtc, (MemoryFolderWatch Watch, int Generation)? watched, CachedMemoryEntries entries) =>
        Put(new Entry(path, length, lastWriteUtc, _time.GetUtcNow().UtcDateTime, entries) { Watch = watched?.Watch, Generation = watched?.Generation ?? 0 });

    /// <summary>Records that <paramref name="path"/> does not exist (take <paramref name="watched"/> before looking).</summary>
    public void SetAbsent(string path, (MemoryFolderWatch Watch, int Generation)? watched, CachedMemoryEntries empty) =>
        Put(new Entry(path, Absent, default, default, empty) { Watch = watched?.Watch, Generation = watched?.Generation ?? 0 });

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

    // Under _sync.
    private void Checked(LinkedListNode<Entry> node, (MemoryFolderWatch Watch, int Generation)? watched)
    {
        node.Value.Watch = watched?.Watch;
        node.Value.Generation = watched?.Generation ?? 0;
        Touch(node);
    }

    // Under _sync.
    private void Touch(LinkedListNode<Entry> node)
    {
        if (node != _byUse.First)
        {
            _byUse.Remove(node);
            _byUse.AddFirst(node);
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

    private sealed record Entry(string Path, long Length, DateTime LastWriteUtc, DateTime CachedAtUtc, CachedMemoryEntries Entries)
    {
        public MemoryFolderWatch? Watch { get; set; }

        public int Generation { get; set; }
    }
}
