namespace Hermes.Identity.Memory;

// One watched folder. Generation moves on every change notice for the folder, and once more when the watch ends
// (the folder deleted or moved, the watch given up to make room, the kernel's queue overflowed), so a cache entry
// that recorded the generation before it read the file is current exactly while the two are equal.
internal sealed class MemoryFolderWatch
{
    private int _generation;
    private long _lastUsedMs;

    public MemoryFolderWatch(int descriptor, string folder)
    {
        Descriptor = descriptor;
        Folder = folder;
        _lastUsedMs = Environment.TickCount64;
    }

    /// <summary>The inotify watch descriptor.</summary>
    public int Descriptor { get; }

    /// <summary>The path the watch was added for.</summary>
    public string Folder { get; }

    /// <summary>False once the watch has ended; an ended watch is never handed out again.</summary>
    public bool IsLive { get; set; } = true;

    /// <summary>When the path was last confirmed to still name this folder (milliseconds, <see cref="Environment.TickCount64"/>).</summary>
    public long ConfirmedAtMs { get; set; }

    public int Generation => Volatile.Read(ref _generation);

    /// <summary>When a read last relied on this watch (milliseconds): the least recently used watch makes room first.</summary>
    public long LastUsedMs => Volatile.Read(ref _lastUsedMs);

    public void Changed() => Interlocked.Increment(ref _generation);

    public void Used() => Volatile.Write(ref _lastUsedMs, Environment.TickCount64);
}
