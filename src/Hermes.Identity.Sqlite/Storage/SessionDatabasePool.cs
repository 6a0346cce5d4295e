using Hermes.Identity.Sessions;
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
internal sealed class SessionDatabasePool : ISessionFiles, IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new(); // first: least recently used
    private readonly Dictionary<string, TaskCompletionSource> _offline = new(StringComparer.Ordinal);
    private readonly SqliteSessionOptions _options;
    private readonly ILogger _logger;
    private TaskCompletionSource _changed = NewSignal();
    private bool _disposed;

    public SessionDatabasePool(IOptions<SqliteSessionOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Sqlite.Sessions");
    }

    internal SqliteSessionOptions Options => _options;

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
    // database answers null instead of being created.
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
                if (entry.Connection is not null && !File.Exists(path))
                {
                    // Deleted or moved behind our back: writing on would go into an unlinked file and vanish.
                    Log.DatabaseVanished(_logger, path);
                    CloseConnection(entry, "the file vanished");
                }

                if (entry.Connection is null)
                {
                    if (!create && !File.Exists(path))
                    {
                        Release(entry, gateHeld: true);
                        return null;
                    }

                    entry.Connection = SessionDatabaseOpener.Open(path, create, _options, _logger);
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

        CloseConnection(entry, "taken offline");
        entry.Gate.Release();
        return handle;
    }

    public async Task<bool> ExportAsync(string databasePath, string destinationFile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationFile);
        if (File.Exists(destinationFile))
        {
            throw new IOException($"'{destinationFile}' already exists; export the session database to a new file.");
        }

        using var lease = await AcquireAsync(databasePath, create: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return false;
        }

        using var command = lease.Connection.CreateCommand();
        command.CommandText = "VACUUM INTO $file";
        command.Parameters.AddWithValue("$file", Path.GetFullPath(destinationFile));
        command.ExecuteNonQuery();
        return true;
    }

    public async Task<bool> EraseAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(databasePath);
        var offline = await TakeOfflineAsync(path, cancellationToken).ConfigureAwait(false);
        await using (offline.ConfigureAwait(false))
        {
            var existed = File.Exists(path);
            foreach (var suffix in (string[])["", "-wal", "-shm", "-journal"])
            {
                File.Delete(path + suffix);
            }

            if (existed)
            {
                Log.DatabaseErased(_logger, path);
            }

            return existed;
        }
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

    private void CloseConnection(Entry entry, string reason)
    {
        var connection = entry.Connection;
        entry.Connection = null;
        if (connection is null)
        {
            return;
        }

        // Our connections are not pooled by Microsoft.Data.Sqlite, but clear its pool anyway so that no
        // handle to this file survives anywhere in the process.
        SqliteConnection.ClearPool(connection);
        connection.Dispose();
        Log.DatabaseClosed(_logger, entry.Path, reason);
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
