using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Memory;

// Reads and rewrites memory files. One per process (a singleton): it owns the in-process gates.
// A rewrite happens under a per-file SemaphoreSlim (writers in this process) and an advisory lock
// on ".<file>.lock" beside the file (writers in other processes); it reads the file again under
// both, so no concurrent edit is lost. Readers take no lock: the file is only ever replaced by a rename.
internal sealed class MemoryFileStore
{
    // Far above any limit (100,000 characters is at most 400,000 bytes): a larger file is not ours.
    internal const int MaxFileBytes = 1 << 20;

    internal static readonly TimeSpan StaleTempAge = TimeSpan.FromMinutes(1);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _swept = new(StringComparer.Ordinal);
    private readonly TimeSpan _lockTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _warnedNoFolderFlush;

    public MemoryFileStore(IOptions<MemoryOptions> options, TimeProvider time, ILoggerFactory? loggerFactory = null)
    {
        _lockTimeout = options.Value.LockTimeout;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Memory");
    }

    // Every prompt reads the sender's memory, so parsed files are kept while their size and write time
    // stay the same. A file written within RacyWindow of being cached is not trusted later: two writes
    // inside one tick of the file system's clock can leave the same stamp (git's "racily clean" rule).
    private static readonly TimeSpan RacyWindow = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, CachedFile> _cache = new(StringComparer.Ordinal);

    private sealed record CachedFile(long Length, DateTime LastWriteUtc, DateTime CachedAtUtc, string[] Entries);

    public List<string> Read(string path)
    {
        SweepOnce(Path.GetDirectoryName(path)!);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            _cache.TryRemove(path, out _);
            return [];
        }

        if (_cache.TryGetValue(path, out var cached)
            && cached.Length == info.Length
            && cached.LastWriteUtc == info.LastWriteTimeUtc
            && cached.LastWriteUtc < cached.CachedAtUtc - RacyWindow)
        {
            return [.. cached.Entries];
        }

        // Stamp first, content second: if the file changes in between, the stamp is older than the content
        // and the next read sees a different stamp and reads again.
        var entries = ReadEntries(path);
        if (_cache.Count < 10_000 || _cache.ContainsKey(path))
        {
            _cache[path] = new CachedFile(info.Length, info.LastWriteTimeUtc, DateTime.UtcNow, [.. entries]);
        }

        return entries;
    }

    // Runs edit on the entries read under the locks; writes only when it returns true. An exception
    // from edit (over the limit, no unique match) leaves the file as it was.
    public async ValueTask<(List<string> Entries, bool Changed)> UpdateAsync(string path, Func<List<string>, bool> edit, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        var gate = _gates.GetOrAdd(path, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                EnsureDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new MemoryException($"The folder of {Path.GetFileName(path)} could not be created, so nothing was written: {ex.Message}", ex);
            }

            SweepOnce(directory);
            using var fileLock = await LockAsync(path, cancellationToken).ConfigureAwait(false);
            var entries = ReadEntries(path);
            if (!edit(entries))
            {
                return (entries, false);
            }

            _cache.TryRemove(path, out _);
            if (!WriteAtomically(path, StrictUtf8.GetBytes(MemoryEntries.Format(entries))) && Interlocked.Exchange(ref _warnedNoFolderFlush, 1) == 0)
            {
                Log.MemoryFolderFlushUnavailable(_logger);
            }

            _cache.TryRemove(path, out _);
            return (entries, true);
        }
        finally
        {
            gate.Release();
        }
    }

    internal static bool IsTempFileName(string name)
    {
        // .<target>.<16 hex>.tmp, as TempPathFor makes them.
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return false;
        }

        var body = name.AsSpan(1, name.Length - 5);
        var dot = body.LastIndexOf('.');
        if (dot <= 0 || body.Length - dot - 1 != 16)
        {
            return false;
        }

        var target = body[..dot];
        return (target.SequenceEqual("MEMORY.md") || target.SequenceEqual("USER.md")) && IsLowerHex(body[(dot + 1)..]);
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");

    private static List<string> ReadEntries(string path)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            if (stream.Length > MaxFileBytes)
            {
                throw new MemoryException($"{path} is {stream.Length:N0} bytes, more than a memory file can be ({MaxFileBytes:N0}). Shorten it by hand or move it away.");
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }

        try
        {
            return MemoryEntries.Parse(StrictUtf8.GetString(bytes));
        }
        catch (DecoderFallbackException ex)
        {
            throw new MemoryException($"{path} is not valid UTF-8 text. Save it as UTF-8, or move it away to start afresh.", ex);
        }
    }

    // Temp file beside the target, flushed to disk, renamed over the target, the folder flushed:
    // a crash at any point leaves the old file or the new one, never a mix or nothing.
    // Returns false when the folder could not be flushed because this platform offers no way to.
    private static bool WriteAtomically(string path, byte[] content)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var stream = new FileStream(temp, CreateOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new MemoryException($"{Path.GetFileName(path)} could not be written, so it is unchanged (is the disk full?): {ex.Message}", ex);
        }

        try
        {
            return DirectorySync.Flush(Path.GetDirectoryName(path)!);
        }
        catch (IOException ex)
        {
            throw new MemoryException($"{Path.GetFileName(path)} was written, but its folder could not be flushed to disk, so a power cut could still undo the write: {ex.Message}", ex);
        }
    }

    private static FileStreamOptions CreateOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            // Memory is personal: readable by the host's user only.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    // Creates the folder (and missing parents) and flushes each new entry to disk, so a file
    // written into a new folder is not lost with the folder on a power cut.
    private static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var created = new Stack<string>();
        for (var d = directory; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Push(d);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var d in created)
        {
            if (Path.GetDirectoryName(d) is { } parent)
            {
                _ = DirectorySync.Flush(parent);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind, it is swept as stale later.
        }
    }

    // FileShare.None is an exclusive advisory lock: flock(LOCK_EX) on Unix, a share-mode lock on
    // Windows. The lock file stays (deleting it would let two writers lock two different files).
    private async ValueTask<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.lock");
        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                if (_time.GetElapsedTime(started) >= _lockTimeout)
                {
                    throw new MemoryException(
                        $"{Path.GetFileName(path)} could not be locked for writing within {_lockTimeout.TotalSeconds:0.#} s: {ex.Message} " +
                        $"Another writer may be holding it; try again, and if it persists look for a stuck process holding {lockPath}.", ex);
                }
            }

            await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 3)), _time, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < MaxBackoff ? delay * 2 : MaxBackoff;
        }
    }

    // Once per folder per process: temp files of writers that died mid-write. Only names this
    // class makes, and only old ones, so a live writer's temp file is never touched.
    private void SweepOnce(string directory)
    {
        if (!Directory.Exists(directory) || !_swept.TryAdd(directory, 0))
        {
            return;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var removed = 0;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, ".*.tmp"))
            {
                if (IsTempFileName(Path.GetFileName(file)) && now - File.GetLastWriteTimeUtc(file) > StaleTempAge)
                {
                    File.Delete(file);
                    removed++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.MemoryTempSweepFailed(_logger, directory, ex.Message);
        }

        if (removed > 0)
        {
            Log.MemoryStaleTempFilesRemoved(_logger, removed, directory);
        }
    }
}
