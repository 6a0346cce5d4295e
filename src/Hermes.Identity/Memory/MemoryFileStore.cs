using System.Text;
using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Memory;

// Reads and rewrites memory files. One per process (a singleton): it owns the in-process gates and the
// read cache. A rewrite happens under the file's MemoryFileLock (writers in this and other processes)
// and reads the file again under it, so no concurrent edit is lost; the new content is written by
// DurableFileWriter. Readers take no lock: the file is only ever replaced by a rename.
internal sealed class MemoryFileStore
{
    // Far above any limit (100,000 characters is at most 400,000 bytes): a larger file is not ours.
    internal const int MaxFileBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MemoryFileLock _locks;
    private readonly MemoryReadCache _cache;
    private readonly MemoryFolderWatcher? _watcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _warnedNoFolderFlush;
    private int _warnedWatchStopped;

    public MemoryFileStore(IOptions<MemoryOptions> options, TimeProvider time, ILoggerFactory? loggerFactory = null)
        : this(options, time, options.Value.WatchForOutsideEdits ? MemoryFolderWatcher.Shared : null, loggerFactory)
    {
        if (options.Value.WatchForOutsideEdits && MemoryFolderWatcher.SharedUnavailableReason is { } reason)
        {
            Log.MemoryWatchUnavailable(_logger, reason);
        }
    }

    // A watcher of its own (tests); null checks every file on every read.
    internal MemoryFileStore(IOptions<MemoryOptions> options, TimeProvider time, MemoryFolderWatcher? watcher, ILoggerFactory? loggerFactory = null)
    {
        _time = time;
        _watcher = watcher;
        _locks = new MemoryFileLock(options.Value.LockTimeout, time);
        _cache = new MemoryReadCache(time);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Memory");
    }

    /// <summary>The memory log category's logger, made once: a turn's MemoryStore logs through it instead of making its own.</summary>
    internal ILogger Logger => _logger;

    /// <summary>Files with an edit in progress or waiting. For tests: it returns to 0 when no edit runs.</summary>
    internal int EditGateCount => _locks.GateCount;

    /// <summary>Files whose parsed entries are cached. For tests: never above <see cref="CacheCapacity"/>.</summary>
    internal int CachedFileCount => _cache.Count;

    internal int CacheCapacity => _cache.Capacity;

    // Every prompt reads the sender's memory: a file unchanged since it was last read is not read again, and its
    // entries are the cached read-only list itself, not a copy. While the folder is watched and quiet, "unchanged" is
    // known without a system call; otherwise the file's size and write time are checked. A file read from disk (or
    // first seen missing) has its folder swept of dead writers' temp files first.
    public IReadOnlyList<string> Read(string path)
    {
        if (_cache.TryGetWatched(path, out var known))
        {
            return known;
        }

        var folder = Path.GetDirectoryName(path)!;
        // Watch first, look second: a change after this point moves the watch's generation.
        var watched = _watcher?.Watch(folder);
        if (watched is null && _watcher?.Failure is { } failure && Interlocked.Exchange(ref _warnedWatchStopped, 1) == 0)
        {
            Log.MemoryWatchUnavailable(_logger, failure); // the watcher stopped: every read checks the files from now on
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (_cache.WasAbsent(path, watched, out var none))
            {
                return none;
            }

            Sweep(folder);
            none = new CachedMemoryEntries([]);
            _cache.SetAbsent(path, watched, none);
            return none;
        }

        if (_cache.TryGet(path, info.Length, info.LastWriteTimeUtc, watched, out var cached))
        {
            return cached;
        }

        Sweep(folder);
        // Stamp first, content second: if the file changes in between, the stamp is older than the content
        // and the next read sees a different stamp (and the watch a change) and reads again.
        var entries = new CachedMemoryEntries([.. ReadEntries(path)]);
        _cache.Set(path, info.Length, info.LastWriteTimeUtc, watched, entries);
        return entries;
    }

    // Runs edit on the entries read under the locks; writes only when it returns true. An exception
    // from edit (over the limit, no unique match) leaves the file as it was.
    public async ValueTask<(List<string> Entries, bool Changed)> UpdateAsync(string path, Func<List<string>, bool> edit, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        var file = Path.GetFileName(path);
        try
        {
            DurableFileWriter.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Failed(path, $"The folder of {file} could not be created, so nothing was written: {MemoryIoFailure.Explain(ex, directory)}.", ex);
        }

        MemoryFileLock.Held held;
        try
        {
            held = await _locks.AcquireAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryException ex)
        {
            Log.MemoryWriteFailed(_logger, path, ex.Message);
            throw;
        }

        using (held)
        {
            Sweep(directory);
            var entries = ReadEntries(path);
            if (!edit(entries))
            {
                return (entries, false);
            }

            _cache.Remove(path);
            try
            {
                if (!DurableFileWriter.Write(path, StrictUtf8.GetBytes(MemoryEntries.Format(entries))) && Interlocked.Exchange(ref _warnedNoFolderFlush, 1) == 0)
                {
                    Log.MemoryFolderFlushUnavailable(_logger);
                }
            }
            catch (DurableFileWriter.FolderNotFlushedException ex)
            {
                throw Failed(path, $"{file} was written, but its folder could not be flushed to disk, so a power cut could still undo the write: {MemoryIoFailure.Explain(ex.InnerException!, directory)}.", ex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw Failed(path, $"{file} could not be written, so it is unchanged: {MemoryIoFailure.Explain(ex, directory)}.", ex);
            }
            finally
            {
                _cache.Remove(path);
                _watcher?.Changed(directory); // other stores in this process (other hosts on the same root) see it now
            }

            return (entries, true);
        }
    }

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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MemoryException($"{Path.GetFileName(path)} could not be read: {MemoryIoFailure.Explain(ex, Path.GetDirectoryName(path)!)}.", ex);
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

    // Logs the failure with the full path for the host's operator; the exception's message names only the file.
    private MemoryException Failed(string path, string message, Exception inner)
    {
        Log.MemoryWriteFailed(_logger, path, message);
        return new MemoryException(message, inner);
    }

    // Temp files of writers that died mid-write; a failure to sweep is logged, never thrown.
    private void Sweep(string directory)
    {
        try
        {
            var removed = DurableFileWriter.SweepStaleTempFiles(directory, _time.GetUtcNow().UtcDateTime);
            if (removed > 0)
            {
                Log.MemoryStaleTempFilesRemoved(_logger, removed, directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.MemoryTempSweepFailed(_logger, directory, ex.Message);
        }
    }
}
