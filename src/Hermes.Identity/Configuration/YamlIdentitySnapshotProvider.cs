using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Configuration;

// Loads identities.yaml, watches it, and swaps in a new snapshot only when the new file is valid.
// A bad edit keeps the last good snapshot and logs the error with file:line:col.
internal sealed class YamlIdentitySnapshotProvider : IIdentitySnapshotProvider, IDisposable
{
    private readonly string _path;
    private readonly string _root;
    private readonly TimeSpan _reloadDelay;
    private readonly ILogger _logger;
    private readonly HermesMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly FileSystemWatcher? _watcher;
    private readonly Lock _reloadLock = new();
    private readonly IdentityConfigException? _startupError;
    private ITimer? _debounce;
    private IdentitySnapshot? _current;

    public YamlIdentitySnapshotProvider(IOptions<HermesIsolationOptions> options, HermesMetrics metrics, TimeProvider time, ILoggerFactory? loggerFactory = null)
    {
        var o = options.Value;
        _path = o.IdentitiesFilePath;
        _root = Path.GetFullPath(o.Root);
        _reloadDelay = o.ReloadDelay;
        _metrics = metrics;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Identities");

        try
        {
            var snapshot = IdentitySnapshot.Load(_path, _root);
            _current = snapshot;
            Log.IdentitiesLoaded(_logger, _path, snapshot.Revision, snapshot.Profiles.Count, snapshot.Roles.Count, snapshot.UnknownSenders);
        }
        catch (IdentityConfigException ex)
        {
            _startupError = ex;
            if (o.OnInvalidIdentitiesAtStartup == InvalidIdentitiesBehavior.DenyEveryone)
            {
                _current = IdentitySnapshot.DenyAll(_root, _path);
                Log.IdentitiesInvalidDenyingEveryone(_logger, ex.Message);
            }
        }

        _watcher = Watch(Path.GetDirectoryName(_path)!, Path.GetFileName(_path));
    }

    /// <summary>Why the file could not be loaded at start-up, or <see langword="null"/>.</summary>
    public IdentityConfigException? StartupError => _startupError;

    public IdentitySnapshot Current => Volatile.Read(ref _current) ?? throw _startupError!;

    /// <summary>Reads the file again; swaps the snapshot only if the file is valid.</summary>
    public bool TryReload(out IdentityConfigException? error)
    {
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
                Log.IdentitiesReloadFailed(_logger, Volatile.Read(ref _current)?.Revision ?? "(none)", ex.Message);
                return false;
            }

            var previous = Volatile.Read(ref _current);
            Volatile.Write(ref _current, next);
            error = null;
            _metrics.ConfigReloads.Add(1, new KeyValuePair<string, object?>("outcome", "success"));
            if (previous?.Revision != next.Revision)
            {
                Log.IdentitiesReloaded(_logger, previous?.Revision ?? "(none)", next.Revision);
            }

            return true;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    private FileSystemWatcher? Watch(string directory, string fileName)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                Log.IdentitiesNotWatched(_logger, directory, "The folder does not exist.");
                return null;
            }

            var watcher = new FileSystemWatcher(directory, fileName)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => ScheduleReload();
            watcher.Created += (_, _) => ScheduleReload();
            watcher.Renamed += (_, _) => ScheduleReload();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException or ArgumentException)
        {
            Log.IdentitiesNotWatched(_logger, directory, ex.Message);
            return null;
        }
    }

    // Editors write a file in several steps; wait until it has been quiet for the reload delay.
    private void ScheduleReload()
    {
        lock (_reloadLock)
        {
            _debounce?.Dispose();
            _debounce = _time.CreateTimer(static state => ((YamlIdentitySnapshotProvider)state!).TryReload(out _), this, _reloadDelay, Timeout.InfiniteTimeSpan);
        }
    }
}
