using System.Runtime.InteropServices;

namespace Hermes.Identity.Memory;

// Watches memory folders with inotify (Linux), so a turn can trust its cached memory without asking the file system:
// a cached file is current while its folder's watch has seen no change since it was read. One per process (Shared):
// one inotify instance and one thread, whatever the number of hosts, stores or tests in it. The thread blocks in
// poll(2) and moves a folder's generation for each notice; reads never wait for it.
//
// Bounded: at most Capacity folders are watched; when full, the watch used longest ago makes room if it has been
// idle a minute, otherwise the new folder goes unwatched (its files are checked on every read, as without a watcher).
// A folder that does not exist yet is covered by the nearest of its two parents that does, so a new person's first
// memory write is noticed too. Paths are confirmed to still name the watched folder at most once a second (one
// inotify_add_watch), and every watch's generation moves at least once every RecheckEvery (1 s), so every cached file
// is checked again that often: this bounds what a watch cannot see (another machine's write on a network file system,
// a write through mmap, a folder swapped in above the watch). Reads never look at a clock.
internal sealed class MemoryFolderWatcher : IDisposable
{
    public const int DefaultCapacity = 1_024;

    /// <summary>How often every watch is marked changed, so that each cached file is checked again at least that often.</summary>
    public static readonly TimeSpan DefaultRecheckEvery = TimeSpan.FromSeconds(1);

    private const long IdleBeforeEvictionMs = 60_000;
    private const long ConfirmEveryMs = 1_000;
    private const int ParentsCovering = 2;

    private static readonly Lazy<(MemoryFolderWatcher? Watcher, string? Reason)> s_shared = new(StartShared);

    private readonly Lock _sync = new();
    private readonly Dictionary<int, MemoryFolderWatch> _byDescriptor = [];
    private readonly Dictionary<string, MemoryFolderWatch> _byFolder = new(StringComparer.Ordinal);
    private readonly int _fd;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private string? _failure;
    private long _noRoomUntilMs;
    private long _rechecks;

    private MemoryFolderWatcher(int fd, int wakeFd, int capacity, TimeSpan recheckEvery)
    {
        _fd = fd;
        _wakeFd = wakeFd;
        Capacity = capacity;
        RecheckEvery = recheckEvery;
        _thread = new Thread(ReadNotices) { IsBackground = true, Name = "Hermes memory watch" };
        _thread.Start();
    }

    /// <summary>The process's watcher; null where folders cannot be watched (not Linux, or inotify refused: see <see cref="SharedUnavailableReason"/>).</summary>
    public static MemoryFolderWatcher? Shared => s_shared.Value.Watcher;

    /// <summary>Why <see cref="Shared"/> is null on Linux; null elsewhere or when it runs.</summary>
    public static string? SharedUnavailableReason => s_shared.Value.Reason;

    public int Capacity { get; }

    public TimeSpan RecheckEvery { get; }

    /// <summary>How many times every watch has been marked changed for the periodic recheck.</summary>
    public long Rechecks => Interlocked.Read(ref _rechecks);

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _byDescriptor.Count;
            }
        }
    }

    /// <summary>The lock the reading thread takes to apply notices. Tests hold it so that the kernel's queue fills.</summary>
    internal Lock NoticeLock => _sync;

    /// <summary>Why the watcher stopped (every watch ended then); null while it runs.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Starts a watcher with its own inotify instance and thread (tests; hosts share <see cref="Shared"/>).</summary>
    /// <exception cref="IOException">inotify could not be started; <see cref="Exception.HResult"/> is the errno.</exception>
    public static MemoryFolderWatcher Start(int capacity = DefaultCapacity, TimeSpan? recheckEvery = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var recheck = recheckEvery ?? DefaultRecheckEvery;
        ArgumentOutOfRangeException.ThrowIfLessThan(recheck, TimeSpan.FromMilliseconds(1));
        var fd = Inotify.Init(Inotify.CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"inotify could not be started: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }

        var wake = Inotify.EventFd(0, Inotify.CloseOnExec);
        if (wake < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Inotify.Close(fd);
            throw new IOException($"eventfd could not be created: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }

        return new MemoryFolderWatcher(fd, wake, capacity, recheck);
    }

    /// <summary>
    /// Watches <paramref name="folder"/>, or the nearest of its two parents that exists, and returns the watch with its
    /// generation as of now: record both before reading a file of the folder. Null when nothing can be watched (no
    /// such folders, full with every watch in use, the kernel's limit reached, the watcher stopped).
    /// </summary>
    public (MemoryFolderWatch Watch, int Generation)? Watch(string folder)
    {
        var covering = Covering(folder);

        lock (_sync)
        {
            if (_failure is not null || _stopping)
            {
                return null;
            }

            var now = Environment.TickCount64;
            MemoryFolderWatch? watch = null;
            var level = 0;
            for (; level <= ParentsCovering && covering[level] is { } path; level++)
            {
                watch = TryWatch(path, now, out var missing);
                if (watch is not null || !missing)
                {
                    break;
                }
            }

            if (watch is null)
            {
                return null;
            }

            // A folder below may have been made before the parent's watch was in place, unseen by it: watch that one.
            while (level > 0 && TryWatch(covering[level - 1]!, now, out _) is { } below)
            {
                watch = below;
                level--;
            }

            watch.Used();
            return (watch, watch.Generation);
        }
    }

    /// <summary>
    /// Marks <paramref name="folder"/> (and the parents that may cover it) changed now, without waiting for the kernel's
    /// notice: every store in the process sees a write made through one of them at once.
    /// </summary>
    public void Changed(string folder)
    {
        lock (_sync)
        {
            foreach (var path in Covering(folder))
            {
                if (path is not null && _byFolder.TryGetValue(path, out var watch))
                {
                    watch.Changed();
                }
            }
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(5));
        Stop("the watcher was disposed");
    }

    // The folder and the parents that may watch for it while it does not exist; null past the file system's root.
    private static string?[] Covering(string folder)
    {
        var covering = new string?[ParentsCovering + 1];
        covering[0] = folder;
        for (var i = 1; i <= ParentsCovering; i++)
        {
            covering[i] = Path.GetDirectoryName(covering[i - 1]);
        }

        return covering;
    }

    private static (MemoryFolderWatcher?, string?) StartShared()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, null);
        }

        try
        {
            return (Start(), null);
        }
        catch (Exception ex) when (ex is IOException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, ex.Message);
        }
    }

    // Under _sync. Missing: the path does not exist (a parent may cover it).
    private MemoryFolderWatch? TryWatch(string path, long now, out bool missing)
    {
        missing = false;
        _byFolder.TryGetValue(path, out var known);
        if (known is not null && now - known.ConfirmedAtMs < ConfirmEveryMs)
        {
            return known;
        }

        if (known is null && _byDescriptor.Count >= Capacity && !MakeRoom(now))
        {
            return null;
        }

        var descriptor = Inotify.AddWatch(_fd, path, Inotify.FolderChanges);
        if (descriptor < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // Only a path that does not exist is covered by a parent: a symbolic link (refused by IN_DONT_FOLLOW, so the
            // watch could not see inside it) or a file in the way leaves the folder to file checks.
            missing = errno == Inotify.ENoEnt;
            if (known is not null)
            {
                End(known, removeFromKernel: true);
            }

            return null;
        }

        if (known is not null && known.Descriptor == descriptor)
        {
            known.ConfirmedAtMs = now;
            return known;
        }

        if (known is not null)
        {
            End(known, removeFromKernel: true); // the path names another folder now
        }

        if (_byDescriptor.ContainsKey(descriptor))
        {
            return null; // a folder already watched under another path: left to file checks, never shared by two paths
        }

        var watch = new MemoryFolderWatch(descriptor, path) { ConfirmedAtMs = now };
        _byDescriptor.Add(descriptor, watch);
        _byFolder.Add(path, watch);
        return watch;
    }

    // Under _sync: gives up the watch used longest ago, if it has been idle long enough. Finding none, it does not look
    // again for a second, so a host with more busy folders than watches pays the scan once a second, not on every read.
    private bool MakeRoom(long now)
    {
        if (now < _noRoomUntilMs)
        {
            return false;
        }

        MemoryFolderWatch? oldest = null;
        foreach (var watch in _byDescriptor.Values)
        {
            if (oldest is null || watch.LastUsedMs < oldest.LastUsedMs)
            {
                oldest = watch;
            }
        }

        if (oldest is null || now - oldest.LastUsedMs < IdleBeforeEvictionMs)
        {
            _noRoomUntilMs = now + ConfirmEveryMs;
            return false;
        }

        End(oldest, removeFromKernel: true);
        return true;
    }

    // Under _sync.
    private void End(MemoryFolderWatch watch, bool removeFromKernel)
    {
        if (!watch.IsLive)
        {
            return;
        }

        watch.IsLive = false;
        watch.Changed();
        _byDescriptor.Remove(watch.Descriptor);
        if (_byFolder.TryGetValue(watch.Folder, out var named) && named == watch)
        {
            _byFolder.Remove(watch.Folder);
        }

        if (removeFromKernel)
        {
            Inotify.RemoveWatch(_fd, watch.Descriptor); // fails harmlessly when the kernel already ended it
        }
    }

    private unsafe void ReadNotices()
    {
        var buffer = new byte[16 * 1024];
        var fds = stackalloc Inotify.PollFd[2];
        var recheckMs = (long)RecheckEvery.TotalMilliseconds;
        var nextRecheck = Environment.TickCount64 + recheckMs;
        try
        {
            while (!_stopping)
            {
                var now = Environment.TickCount64;
                if (now >= nextRecheck)
                {
                    Recheck();
                    nextRecheck = now + recheckMs;
                }

                fds[0] = new Inotify.PollFd { Fd = _fd, Events = Inotify.PollIn };
                fds[1] = new Inotify.PollFd { Fd = _wakeFd, Events = Inotify.PollIn };
                if (Inotify.Poll(fds, 2, (int)Math.Clamp(nextRecheck - now, 1, int.MaxValue)) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Inotify.EIntr)
                    {
                        continue;
                    }

                    Stop($"poll failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                    return;
                }

                if (_stopping || fds[1].Revents != 0)
                {
                    return;
                }

                if (fds[0].Revents == 0)
                {
                    continue;
                }

                nint read;
                fixed (byte* start = buffer)
                {
                    read = Inotify.Read(_fd, start, (nuint)buffer.Length);
                }

                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Inotify.EIntr)
                    {
                        continue;
                    }

                    Stop($"reading inotify failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                    return;
                }

                Apply(buffer.AsSpan(0, (int)read));
            }
        }
        catch (Exception ex)
        {
            Stop(ex.Message);
        }
        finally
        {
            Inotify.Close(_fd);
            Inotify.Close(_wakeFd);
        }
    }

    private void Apply(ReadOnlySpan<byte> notices)
    {
        lock (_sync)
        {
            while (notices.Length >= Inotify.EventHeaderSize)
            {
                var descriptor = MemoryMarshal.Read<int>(notices);
                var mask = MemoryMarshal.Read<uint>(notices[4..]);
                var nameLength = MemoryMarshal.Read<uint>(notices[12..]);
                notices = notices[Math.Min(notices.Length, Inotify.EventHeaderSize + (int)nameLength)..];

                if ((mask & Inotify.QueueOverflow) != 0)
                {
                    ChangeAll(); // notices were lost: every folder may have changed
                }
                else if (_byDescriptor.TryGetValue(descriptor, out var watch))
                {
                    watch.Changed();
                    if ((mask & Inotify.Ignored) != 0)
                    {
                        End(watch, removeFromKernel: false);
                    }
                    else if ((mask & (Inotify.MoveSelf | Inotify.DeleteSelf | Inotify.Unmount)) != 0)
                    {
                        End(watch, removeFromKernel: true);
                    }
                }
            }
        }
    }

    private void Recheck()
    {
        lock (_sync)
        {
            ChangeAll();
            _rechecks++;
        }
    }

    // Under _sync: marks every watch changed, so each cached file is checked again by its next read.
    private void ChangeAll()
    {
        foreach (var watch in _byDescriptor.Values)
        {
            watch.Changed();
        }
    }

    // Every watch ends, so every cached file is checked again from now on; later calls to Watch return null.
    private void Stop(string reason)
    {
        lock (_sync)
        {
            _failure ??= reason;
            foreach (var watch in _byDescriptor.Values.ToList())
            {
                End(watch, removeFromKernel: false);
            }
        }
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        Inotify.Write(_wakeFd, (byte*)&one, sizeof(ulong));
    }
}
