using Hermes.Identity.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite.Storage;

// The open profile databases of this process: one connection each, used by one operation at a time,
// at most MaxOpenDatabases of them (the least recently used idle one is closed to make room). A path
// taken offline (export, erase, move) has no connection until it is brought back, so no write can go
// into a file that has been unlinked.
//
// Before every operation, and before closing, the file at the path is compared with the one the connection
// has open (Linux: device and inode, size and times; elsewhere: whether it exists). A database deleted,
// moved, renamed over or overwritten in place (a backup restored under the running host) is closed without
// writing the old content into whatever is at the path now, the old -wal and -shm files are removed when
// nobody else uses them, and the operation runs on the file now at the path (SessionDatabaseGuard; see
// docs/sessions.md). Export and erase are in SessionDatabaseFiles.
internal sealed class SessionDatabasePool : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new(); // first: least recently used
    private readonly Dictionary<string, TaskCompletionSource> _offline = new(StringComparer.Ordinal);
    private readonly SqliteSessionOptions _options;
    private readonly ILogger _logger;
    private readonly SessionDatabaseGuard _guard;
    private TaskCompletionSource _changed = NewSignal();
    private bool _disposed;

    public SessionDatabasePool(IOptions<SqliteSessionOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Sqlite.Sessions");
        _guard = new SessionDatabaseGuard(_options, _logger);
    }

    internal SqliteSessionOptions Options => _options;

    internal ILogger Logger => _logger;

    // The databases open (or being opened) now. Never above MaxOpenDatabases.
    internal int OpenCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    // Exclusive use of the database at path until the lease is disposed. With create false, a missing
    // database answers null instead of being created. Storage errors come out as SessionStoreException.
    public async ValueTask<SessionDatabaseLease?> AcquireAsync(string path, bool create, CancellationToken cancellationToken = default)
    {
        path = Path.GetFullPath(path);
        while (true)
        {
            Task? wait = null;
            Entry? entry = null;
            Entry? evicted = null;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_offline.TryGetValue(path, out var offline))
                {
                    wait = offline.Task;
                }
                else if (_entries.TryGetValue(path, out entry))
                {
                    entry.Users++;
                    _lru.Remove(entry.Node);
                    _lru.AddLast(entry.Node);
                }
                else if (_entries.Count < _options.MaxOpenDatabases || (evicted = RemoveLeastRecentlyUsedIdle()) is not null)
                {
                    entry = new Entry(path) { Users = 1 };
                    _lru.AddLast(entry.Node);
                    _entries.Add(path, entry);
                }
                else
                {
                    // Every open database is in use: wait until one is released.
                    wait = _changed.Task;
                }
            }

            if (evicted is not null)
            {
                CloseConnection(evicted, "least recently used, to stay within MaxOpenDatabases");
            }

            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await entry!.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Release(entry!, gateHeld: false);
                throw;
            }

            if (entry.Retired)
            {
                // Taken offline while we waited: start again, which waits for it to come back.
                Release(entry, gateHeld: true);
                continue;
            }

            try
            {
                if (entry.Connection is not null && _guard.Check(entry.Path, entry.Watch) is var change and not FileChange.Unchanged)
                {
                    // Deleted, moved or replaced behind our back: writing on would go into a file that is no longer
                    // the one at the path, or mix the old file's log into the new one.
                    CloseConnection(entry, "to open the file now at its path", change, reopening: true);
                }
                else if (entry.Connection is not null && entry.CloseAfterUse)
                {
                    CloseConnection(entry, "to open it afresh after a storage error", FileChange.Unchanged, reopening: true);
                }

                if (entry.Connection is null)
                {
                    if (!create && !File.Exists(path))
                    {
                        Release(entry, gateHeld: true);
                        return null;
                    }

                    (entry.Connection, entry.Watch) = _guard.Open(path, create);
                    Log.DatabaseOpened(_logger, path, OpenCount);
                }

                return new SessionDatabaseLease(this, entry);
            }
            catch
            {
                Release(entry, gateHeld: true);
                throw;
            }
        }
    }

    // Closes every open connection to the database at databasePath and keeps it closed until the handle is
    // disposed: operations for that path wait meanwhile, then open the file found at the path.
    public async ValueTask<IAsyncDisposable> TakeOfflineAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(databasePath);
        var mine = NewSignal();
        Entry? entry;
        while (true)
        {
            Task? wait = null;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_offline.TryGetValue(path, out var other))
                {
                    wait = other.Task;
                    entry = null;
                }
                else
                {
                    _offline.Add(path, mine);
                    if (_entries.TryGetValue(path, out entry))
                    {
                        entry.Users++;
                    }
                }
            }

            if (wait is null)
            {
                break;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var handle = new OfflineHandle(this, path, mine);
        if (entry is null)
        {
            return handle;
        }

        try
        {
            // Wait for the operation in progress; the ones queued behind us will see the entry retired.
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                entry.Users--;
            }

            handle.Dispose();
            throw;
        }

        lock (_lock)
        {
            entry.Retired = true;
            entry.Users--;
            Remove(entry);
        }

        try
        {
            CloseConnection(entry, "taken offline");
        }
        finally
        {
            entry.Gate.Release();
        }

        return handle;
    }

    public void Dispose()
    {
        Entry[] entries;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
            _lru.Clear();
        }

        foreach (var entry in entries)
        {
            CloseConnection(entry, "the pool is disposed");
        }
    }

    internal void Release(Entry entry, bool gateHeld)
    {
        if (gateHeld)
        {
            if (entry.Connection is { } connection && entry.Watch is { } watch && OperatingSystem.IsLinux())
            {
                watch.AfterOperation(connection);
            }

            entry.Gate.Release();
        }

        lock (_lock)
        {
            entry.Users--;
            if (entry.Users == 0)
            {
                if (entry.Connection is null && !entry.Retired && _entries.TryGetValue(entry.Path, out var current) && ReferenceEquals(current, entry))
                {
                    // Never opened (no such database): don't let an empty slot count as open.
                    Remove(entry);
                }

                var changed = _changed;
                _changed = NewSignal();
                changed.TrySetResult();
            }
        }
    }

    private Entry? RemoveLeastRecentlyUsedIdle()
    {
        for (var node = _lru.First; node is not null; node = node.Next)
        {
            if (node.Value.Users == 0)
            {
                node.Value.Retired = true;
                Remove(node.Value);
                return node.Value;
            }
        }

        return null;
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Path);
        _lru.Remove(entry.Node);
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    // Closes the entry's connection the way the state of its file calls for (see SessionDatabaseGuard).
    private void CloseConnection(Entry entry, string reason, FileChange? change = null, bool reopening = false)
    {
        var connection = entry.Connection;
        var watch = entry.Watch;
        entry.Connection = null;
        entry.Watch = null;
        entry.CloseAfterUse = false;
        if (connection is not null)
        {
            _guard.Close(entry.Path, connection, watch, change, reason, reopening);
        }
    }

    private void BringOnline(string path, TaskCompletionSource signal)
    {
        lock (_lock)
        {
            if (_offline.TryGetValue(path, out var current) && ReferenceEquals(current, signal))
            {
                _offline.Remove(path);
            }
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal sealed class Entry
    {
        public Entry(string path)
        {
            Path = path;
            Node = new LinkedListNode<Entry>(this);
        }

        public string Path { get; }

        public LinkedListNode<Entry> Node { get; }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        // Operations holding or waiting for the gate; an entry with users is never evicted.
        public int Users { get; set; }

        // Removed from the pool (evicted or taken offline): whoever gets the gate next must start again.
        public bool Retired { get; set; }

        public SqliteConnection? Connection { get; set; }

        // What is known of the files behind Connection (Linux only).
        public DatabaseWatch? Watch { get; set; }

        // The last operation hit a storage error: open the database afresh before the next one.
        public bool CloseAfterUse { get; set; }
    }

    private sealed class OfflineHandle(SessionDatabasePool pool, string path, TaskCompletionSource signal) : IAsyncDisposable, IDisposable
    {
        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        public void Dispose() => pool.BringOnline(path, signal);
    }
}
