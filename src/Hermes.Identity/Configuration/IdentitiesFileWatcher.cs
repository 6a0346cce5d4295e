using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Configuration;

// Tells when identities.yaml may have changed, wherever the file really lives.
//
// A FileSystemWatcher on the file's own folder sees a plain file being edited or replaced, but nothing
// behind a symbolic link: a Kubernetes ConfigMap mount swaps the `..data` link over to a new timestamped
// folder, and a link to a file in another folder changes in that other folder. So the path is resolved
// link by link, and every folder that holds a link on the way is watched for that link's name, and the
// folder of the file the path ends at for the file's name. Refresh resolves again and moves the watchers;
// the provider calls it before every reload, so a swapped link is followed and its old folder dropped.
//
// Links met on the way to the configured file's folder are taken as they are, as before: on macOS /var
// is a link in /, and a watcher on / would see the whole disk. The number of links followed is capped,
// so at most MaxLinks + 1 folders are ever watched.
internal sealed class IdentitiesFileWatcher : IDisposable
{
    /// <summary>Linux's own limit (MAXSYMLINKS): past it, opening the file fails with ELOOP anyway.</summary>
    internal const int MaxLinks = 40;

    private static readonly StringComparer NameComparer = OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    private readonly string _path;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FileSystemWatcher> _watchers = new(NameComparer);
    private Dictionary<string, HashSet<string>> _names = new(NameComparer);
    private string? _folder;
    private bool _rebuild;
    private bool _disposed;

    /// <param name="path">The full path of the identities file.</param>
    /// <param name="changed">Called, on a thread-pool thread, when a watched name changed. It may be called more than once for one change.</param>
    /// <param name="logger">Where to say what cannot be watched.</param>
    public IdentitiesFileWatcher(string path, Action changed, ILogger logger)
    {
        _path = path;
        _changed = changed;
        _logger = logger;
    }

    /// <summary>The folders watched now: for tests and logs.</summary>
    public IReadOnlyCollection<string> Folders
    {
        get
        {
            lock (_lock)
            {
                return [.. _watchers.Keys];
            }
        }
    }

    /// <summary>Resolves the path again and watches the folders it now goes through. Call it before reading the file.</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var names = new Dictionary<string, HashSet<string>>(NameComparer);
            var target = Resolve(_path, names, out _folder);
            Volatile.Write(ref _names, names);

            var moved = false;
            foreach (var folder in _watchers.Keys.ToArray())
            {
                if (_rebuild || !names.ContainsKey(folder))
                {
                    _watchers.Remove(folder, out var old);
                    old!.Dispose();
                    moved = true;
                }
            }

            _rebuild = false;
            foreach (var folder in names.Keys)
            {
                if (!_watchers.ContainsKey(folder) && Watch(folder) is { } watcher)
                {
                    _watchers.Add(folder, watcher);
                    moved = true;
                }
            }

            if (moved)
            {
                Log.IdentitiesWatching(_logger, _path, target, string.Join(", ", _watchers.Keys));
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var watcher in _watchers.Values)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
        }
    }

    /// <summary>
    /// Follows <paramref name="path"/> link by link, like realpath, and returns where it ends (which need not exist).
    /// Adds to <paramref name="names"/>, by folder, the name of every link met after the file's own folder was reached,
    /// and the name of the file it ends at. <paramref name="folder"/> is the file's own folder, its links followed.
    /// </summary>
    internal static string Resolve(string path, Dictionary<string, HashSet<string>> names, out string folder)
    {
        var full = Path.GetFullPath(path);
        var links = 0;
        folder = Walk(Path.GetDirectoryName(full) ?? full, names: null, ref links);
        var name = Path.GetFileName(full);
        Add(names, folder, name);

        var target = Walk(Path.Join(folder, name), names, ref links);
        if (Path.GetDirectoryName(target) is { } targetFolder)
        {
            Add(names, targetFolder, Path.GetFileName(target));
        }

        return target;
    }

    private static string Walk(string path, Dictionary<string, HashSet<string>>? names, ref int links)
    {
        var current = Path.GetPathRoot(path) ?? string.Empty;
        var pending = new Stack<string>(Parts(path[current.Length..]).Reverse());
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            if (LinkTarget(next) is not { } target)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                // A loop, or a chain longer than the kernel follows: reading the file will fail and say so.
                return Path.Join([next, .. pending]);
            }

            if (names is not null)
            {
                Add(names, current, part);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? current;
                target = target[current.Length..];
            }

            foreach (var p in Parts(target).Reverse())
            {
                pending.Push(p);
            }
        }

        return current;
    }

    private static string[] Parts(string path) => path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Missing, not a folder where one was expected, or not readable: nothing to follow here.
            return null;
        }
    }

    private static void Add(Dictionary<string, HashSet<string>> names, string folder, string name)
    {
        if (!names.TryGetValue(folder, out var set))
        {
            names[folder] = set = new HashSet<string>(NameComparer);
        }

        set.Add(name);
    }

    private FileSystemWatcher? Watch(string folder)
    {
        try
        {
            if (!Directory.Exists(folder))
            {
                // The file's own folder must exist to be watched; the folder a dangling link points into may come later,
                // and a change to the link is seen in the link's folder.
                if (NameComparer.Equals(folder, _folder))
                {
                    Log.IdentitiesNotWatched(_logger, folder, "The folder does not exist.");
                }

                return null;
            }

            var watcher = new FileSystemWatcher(folder)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += (_, e) => OnEvent(folder, e.Name, null);
            watcher.Created += (_, e) => OnEvent(folder, e.Name, null);
            watcher.Deleted += (_, e) => OnEvent(folder, e.Name, null);
            watcher.Renamed += (_, e) => OnEvent(folder, e.Name, e.OldName);
            watcher.Error += (_, _) => OnError();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException or ArgumentException)
        {
            Log.IdentitiesNotWatched(_logger, folder, ex.Message);
            return null;
        }
    }

    private void OnEvent(string folder, string? name, string? oldName)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        var names = Volatile.Read(ref _names);
        if (names.TryGetValue(folder, out var watched) && ((name is not null && watched.Contains(name)) || (oldName is not null && watched.Contains(oldName))))
        {
            _changed();
        }
    }

    // The watcher lost events (its buffer overflowed) or its folder went away: rebuild every watcher and reload.
    private void OnError()
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        Volatile.Write(ref _rebuild, true);
        _changed();
    }
}
