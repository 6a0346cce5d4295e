namespace Hermes.Identity.Memory;

// The right to rewrite one memory file: a per-file gate for writers in this process, then an advisory
// lock on "<file>.lock" beside the file (MEMORY.md.lock) for writers in other processes: the lock Hermes
// Agent's own memory tool takes, so this library and a Python Hermes process exclude each other. A gate exists only while
// someone holds or waits for it, so the table stays as small as the number of files being edited,
// however many people the host has seen. Only lock contention is waited for, up to the timeout; any
// other failure to open the lock file (a read-only disk, a permission, a full disk) fails at once.
internal sealed class MemoryFileLock
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(50);

    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public MemoryFileLock(TimeSpan timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
    }

    /// <summary>How many files have a gate: an edit in progress or waiting. For tests.</summary>
    internal int GateCount
    {
        get
        {
            lock (_sync)
            {
                return _gates.Count;
            }
        }
    }

    /// <summary>Waits for the file's gate, then for its lock file; dispose the result to release both.</summary>
    /// <exception cref="MemoryException">Another writer held the lock for the whole timeout, or the lock file could not be opened.</exception>
    public async ValueTask<Held> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var gate = Enter(path);
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(path, gate);
            throw;
        }

        try
        {
            return new Held(this, path, gate, await LockFileAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            gate.Semaphore.Release();
            Leave(path, gate);
            throw;
        }
    }

    private Gate Enter(string path)
    {
        lock (_sync)
        {
            if (!_gates.TryGetValue(path, out var gate))
            {
                gate = new Gate();
                _gates.Add(path, gate);
            }

            gate.Users++;
            return gate;
        }
    }

    private void Leave(string path, Gate gate)
    {
        lock (_sync)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(path);
                gate.Semaphore.Dispose();
            }
        }
    }

    // The lock Hermes Agent's memory tool takes (tools/memory_tool.py, _file_lock): "<file>.lock" beside the
    // file, flock(LOCK_EX) on Unix, msvcrt.locking of its first byte on Windows. The lock file stays
    // (deleting it would let two writers lock two different files).
    internal static string LockPathOf(string path) => path + ".lock";

    private async ValueTask<FileStream> LockFileAsync(string path, CancellationToken cancellationToken)
    {
        var lockPath = LockPathOf(path);
        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return HermesFileLock.TryTake(lockPath);
            }
            catch (IOException ex) when (MemoryIoFailure.IsLockContention(ex))
            {
                if (_time.GetElapsedTime(started) >= _timeout)
                {
                    throw new MemoryException(
                        $"{Path.GetFileName(path)} could not be locked for writing within {_timeout.TotalSeconds:0.#} s because another writer held it, so it is unchanged. " +
                        $"Try again; if it persists, look for a stuck process holding {lockPath} (this library, or a Hermes Agent process).", ex);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new MemoryException(
                    $"{Path.GetFileName(path)} could not be written, so it is unchanged: its lock file could not be opened because {MemoryIoFailure.Explain(ex, Path.GetDirectoryName(path)!)}.", ex);
            }

            await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 3)), _time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < MaxBackoff ? delay * 2 : MaxBackoff;
        }
    }

    /// <summary>Both locks on one file; disposing releases them, the file lock first.</summary>
    public sealed class Held : IDisposable
    {
        private readonly MemoryFileLock _owner;
        private readonly string _path;
        private readonly Gate _gate;
        private FileStream? _file;

        internal Held(MemoryFileLock owner, string path, Gate gate, FileStream file)
        {
            _owner = owner;
            _path = path;
            _gate = gate;
            _file = file;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _file, null) is { } file)
            {
                file.Dispose();
                _gate.Semaphore.Release();
                _owner.Leave(_path, _gate);
            }
        }
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        // Guarded by _sync: holders and waiters.
        public int Users { get; set; }
    }
}
