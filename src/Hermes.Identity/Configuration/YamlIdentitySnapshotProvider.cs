using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace Hermes.Identity.Configuration;

// Loads identities.yaml, watches it (through symbolic links too, see IdentitiesFileWatcher), and swaps in a new
// snapshot only when the new file is valid. A bad edit or a deleted file keeps the last good snapshot and logs why.
internal sealed class YamlIdentitySnapshotProvider : IIdentitySnapshotProvider, IDisposable
{
    private readonly string _path;
    private readonly string _root;
    private readonly TimeSpan _reloadDelay;
    private readonly ILogger _logger;
    private readonly HermesMetrics _metrics;
    private readonly IdentitiesFileWatcher _watcher;
    private readonly ITimer _debounce;
    private readonly Lock _reloadLock = new();
    private readonly IdentityConfigException? _startupError;
    private IdentitySnapshot? _current;
    private CancellationTokenSource _reloadSignal = new();

    /// <param name="identitiesFile">The identities file; relative paths are taken from the current directory.</param>
    /// <param name="root">The data root the profiles' folders are under.</param>
    /// <param name="reloadDelay">How long the file must be quiet after a change before it is read again.</param>
    /// <param name="onInvalidAtStartup">What to do when the file is missing or invalid now.</param>
    /// <param name="metrics">Counts reloads.</param>
    /// <param name="time">Runs the reload delay.</param>
    /// <param name="loggerFactory">Where loads, reloads and failures are logged.</param>
    public YamlIdentitySnapshotProvider(
        string identitiesFile,
        string root,
        TimeSpan reloadDelay,
        InvalidIdentitiesBehavior onInvalidAtStartup,
        HermesMetrics metrics,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(identitiesFile);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(time);
        _path = Path.GetFullPath(identitiesFile);
        _root = Path.GetFullPath(root);
        _reloadDelay = reloadDelay;
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Identities");
        _debounce = time.CreateTimer(static state => ((YamlIdentitySnapshotProvider)state!).ReloadAfterChange(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Watch before the first read, so that a change made while the file is being read is not missed.
        _watcher = new IdentitiesFileWatcher(_path, ScheduleReload, _logger);
        _watcher.Refresh();

        lock (_reloadLock)
        {
            try
            {
                var snapshot = IdentitySnapshot.Load(_path, _root);
                _current = snapshot;
                Log.IdentitiesLoaded(_logger, _path, snapshot.Revision, snapshot.Profiles.Count, snapshot.Roles.Count, snapshot.UnknownSenders);
            }
            catch (IdentityConfigException ex)
            {
                _startupError = ex;
                if (onInvalidAtStartup == InvalidIdentitiesBehavior.DenyEveryone)
                {
                    _current = IdentitySnapshot.DenyAll(_root, _path);
                    Log.IdentitiesInvalidDenyingEveryone(_logger, ex.Message);
                }
            }
        }
    }

    /// <summary>Why the file could not be loaded at start-up, or <see langword="null"/>.</summary>
    public IdentityConfigException? StartupError => _startupError;

    public IdentitySnapshot Current => Volatile.Read(ref _current) ?? throw _startupError!;

    /// <summary>The revision in force, or <see langword="null"/> while none is (the file was never valid).</summary>
    public string? Revision => Volatile.Read(ref _current)?.Revision;

    /// <summary>The folders watched now (the file's own, and those its symbolic links go through).</summary>
    internal IReadOnlyCollection<string> WatchedFolders => _watcher.Folders;

    public IChangeToken GetReloadToken() => new CancellationChangeToken(Volatile.Read(ref _reloadSignal).Token);

    /// <summary>Reads the file again; swaps the snapshot only if the file is valid and its content changed.</summary>
    public bool TryReload(out IdentityConfigException? error)
    {
        CancellationTokenSource fired;
        lock (_reloadLock)
        {
            IdentitySnapshot next;
            try
            {
                next = IdentitySnapshot.Load(_path, _root);
            }
            catch (IdentityConfigException ex)
            {
                error = ex;
                _metrics.ConfigReloads.Add(1, new KeyValuePair<string, object?>("outcome", "failure"));
                var kept = Volatile.Read(ref _current)?.Revision ?? "(none)";
                if (IsMissing(_path))
                {
                    Log.IdentitiesFileMissing(_logger, _path, kept);
                }
                else
                {
                    Log.IdentitiesReloadFailed(_logger, kept, ex.Message);
                }

                return false;
            }

            error = null;
            _metrics.ConfigReloads.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
            var previous = Volatile.Read(ref _current);
            if (previous?.Revision == next.Revision)
            {
                // The same content (a touch, a rewrite with the same text): the snapshot in force is already this one.
                return true;
            }

            Volatile.Write(ref _current, next);
            Log.IdentitiesReloaded(_logger, previous?.Revision ?? "(none)", next.Revision);
            fired = Interlocked.Exchange(ref _reloadSignal, new CancellationTokenSource());
        }

        // Outside the lock: a callback may read Current, or even reload, without waiting on this one.
        try
        {
            fired.Cancel();
        }
        catch (AggregateException ex)
        {
            Log.IdentitiesReloadCallbackFailed(_logger, ex);
        }

        return true;
    }

    public void Dispose()
    {
        _debounce.Dispose();
        _watcher.Dispose();
    }

    // Deleted, or a link left pointing nowhere (File.Exists says true for that one): what a reader finds is no file.
    private static bool IsMissing(string path)
    {
        try
        {
            File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete).Dispose();
            return false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Editors write a file in several steps, and a ConfigMap update is several renames: wait until the
    // watched names have been quiet for the reload delay, then follow the links again and read.
    private void ScheduleReload() => _debounce.Change(_reloadDelay, Timeout.InfiniteTimeSpan);

    private void ReloadAfterChange()
    {
        // Watch where the path leads now before reading it, so a change after the read is seen.
        _watcher.Refresh();
        TryReload(out _);
    }
}
