using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.Versioning;
using Hermes.Identity.Sqlite.Internal;
using Hermes.Identity.Sqlite.Storage;
using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.State;

// The connections to the state database: a few idle ones kept for reuse, more opened when calls overlap. The first
// open makes the folder (owner-only on Unix) and the file, switches it to WAL and brings the schema up to date;
// later opens only set the per-connection pragmas and never create the file, so a file deleted while the host runs
// is an error rather than a silent fresh start. On Linux each connection remembers which file (device and inode) it
// opened; one handed out again while another file stands at the path (a backup renamed over it) or none does (the
// file deleted) is closed with every idle one instead, so no commit goes into a file nobody will read again: the
// file now at the path is opened, or, when there is none, a new empty one made. Thread-safe.
internal sealed class StateConnections : IDisposable
{
    private const int MaxIdle = 4;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly ConcurrentBag<Lease> _idle = [];
    private readonly SqliteStateOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _setUp = new();
    private volatile bool _ready;
    private volatile bool _disposed;
    private (FileState? Wal, FileState? Shm)? _stale; // under _setUp: the old -wal and -shm of a replaced file, still to delete

    public StateConnections(string path, SqliteStateOptions options, ILogger logger)
    {
        Path = path;
        _options = options;
        _logger = logger;
    }

    public string Path { get; }

    // An open, configured connection to the file now at the path; give it back with Return, or dispose its
    // connection after a failure.
    public Lease Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (_idle.TryTake(out var idle))
        {
            if (!OperatingSystem.IsLinux() || idle.File is not { } file)
            {
                return idle;
            }

            var now = FileState.Of(Path);
            if (now is { } current && current.IsSameFile(file))
            {
                return idle;
            }

            Retire(idle, vanished: now is null);
        }

        if (OperatingSystem.IsLinux())
        {
            ThrowIfStale();
        }

        if (_ready)
        {
            return Open(create: false);
        }

        lock (_setUp)
        {
            if (_ready)
            {
                return Open(create: false);
            }

            var lease = Open(create: true);
            _ready = true;
            return lease;
        }
    }

    public void Return(Lease lease)
    {
        if (_disposed || _idle.Count >= MaxIdle)
        {
            lease.Connection.Dispose();
            return;
        }

        _idle.Add(lease);
        if (_disposed)
        {
            Drain();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private void Drain()
    {
        while (_idle.TryTake(out var lease))
        {
            lease.Connection.Dispose();
        }
    }

    private Lease Open(bool create)
    {
        if (create)
        {
            CreateFile();
        }

        for (var attempt = 0; ; attempt++)
        {
            var before = OperatingSystem.IsLinux() ? FileState.Of(Path) : null;
            var connection = Connect(create);
            if (!OperatingSystem.IsLinux())
            {
                return new Lease(connection, null, null, null);
            }

            // Which file the connection has: the one at the path both before and after opening. When that changed
            // meanwhile (a restore at that very moment) it is unknown: open again.
            var after = FileState.Of(Path);
            if (FileState.IsSameFile(before, after))
            {
                return new Lease(connection, after, FileState.Of(Path + "-wal"), FileState.Of(Path + "-shm"));
            }

            connection.Dispose();
            if (attempt == 2)
            {
                throw new StateStoreException(
                    $"The state database {Path} was replaced each time it was opened. Nothing was read or written. Stop whatever keeps replacing it, then try again.");
            }
        }
    }

    private SqliteConnection Connect(bool create)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            // This class keeps the connections: it alone knows which are configured.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}"));
            if (create)
            {
                SetUp(connection);
            }
            else
            {
                // Reads the file (so the connection has its -wal and -shm open from here on) and refuses a file
                // that a newer version put at the path meanwhile.
                StateSchema.RefuseNewer(connection, Path, StateSchema.ReadVersion(connection));
            }

            Execute(connection, "PRAGMA synchronous = " + SynchronousPragma(_options.Synchronous));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void SetUp(SqliteConnection connection)
    {
        var deadline = Environment.TickCount64 + (long)_options.BusyTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                var mode = Execute(connection, "PRAGMA journal_mode = WAL");
                if (!string.Equals(mode as string, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new StateStoreException(
                        $"The state database {Path} could not be switched to WAL mode (it is in '{mode}' mode). " +
                        "Put the data root on a local file system that supports shared memory; network file systems do not.");
                }

                var (from, to) = StateSchema.Migrate(connection, Path);
                if (from != to)
                {
                    Log.StateDatabaseMigrated(_logger, Path, from, to);
                }

                return;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteBusy or SqliteLocked && Environment.TickCount64 < deadline)
            {
                // Switching a new file to WAL takes an exclusive lock that the busy handler does not always wait for
                // (SQLite skips it where waiting could deadlock, as when another process creates the file at the
                // same moment): try again.
                Thread.Sleep(Random.Shared.Next(5, 25));
            }
        }
    }

    // The folder and an empty file, owner-only on Unix (SQLite gives the -wal and -shm files the file's mode), so
    // other users of the machine cannot read pairings or approvals.
    private void CreateFile()
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            if (!File.Exists(Path))
            {
                RefuseOrphanedLog();
            }

            return;
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(Path))
        {
            return;
        }

        RefuseOrphanedLog();

        try
        {
            using var file = new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(Path))
        {
            // Another process made it first.
        }
    }

    // The file this connection has is not at the path any more (replaced: a backup renamed over it; vanished: deleted
    // or moved away). Every connection of ours has the old file: close them all, after writing the old log into the
    // old file (someone who moved it aside keeps a complete copy), and delete the old -wal and -shm, which SQLite
    // would otherwise apply to the file now at the path, unless another process still uses them.
    [SupportedOSPlatform("linux")]
    private void Retire(Lease stale, bool vanished)
    {
        lock (_setUp)
        {
            if (vanished)
            {
                Log.StateDatabaseVanished(_logger, Path);
                _ready = false;
            }
            else
            {
                Log.StateDatabaseReplaced(_logger, Path);
            }

            Close(stale);
            while (_idle.TryTake(out var other))
            {
                Close(other);
            }

            _stale = (stale.Wal, stale.Shm);
            ThrowIfStale();
        }
    }

    [SupportedOSPlatform("linux")]
    private void ThrowIfStale()
    {
        lock (_setUp)
        {
            if (_stale is not { } stale)
            {
                return;
            }

            bool removed;
            try
            {
                removed = WalSidecars.TryRemoveStale(Path, stale.Wal, stale.Shm);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                removed = false;
            }

            if (!removed)
            {
                throw new StateStoreException(
                    $"The state database {Path} was replaced or deleted while open, and another process (or a connection still busy in this one) uses " +
                    "the old file's identity.db-wal and identity.db-shm, which SQLite would apply to the file now at that path. Nothing was read or written. " +
                    "Stop every process that uses this data root (other hosts, a sqlite3 shell), then try again; restore backups with the hosts stopped.");
            }

            _stale = null;
        }
    }

    private static void Close(Lease lease)
    {
        try
        {
            using var command = lease.Connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // The old file keeps its log; nothing at the path depends on it.
        }

        lease.Connection.Dispose();
    }

    // A -wal file without its database belongs to a deleted file (or one that another process still has open): a new
    // database beside it would take its pages for its own. Refuse rather than start from a mix.
    private void RefuseOrphanedLog()
    {
        var wal = Path + "-wal";
        if (File.Exists(wal) && new FileInfo(wal).Length > 0)
        {
            throw new StateStoreException(
                $"The state database {Path} is missing, but its write-ahead log {wal} is there: it belongs to a file that was deleted or moved away, " +
                "perhaps still open in another process. Nothing was written. Stop every host that uses this data root, then put the database back " +
                $"(restore it from a backup) or delete {wal} and {Path}-shm to start with empty state; pending pairings and approvals are then lost.");
        }
    }

    private static string SynchronousPragma(SqliteSynchronousMode mode) => mode switch
    {
        SqliteSynchronousMode.Normal => "NORMAL",
        SqliteSynchronousMode.Extra => "EXTRA",
        _ => "FULL",
    };

    private static object? Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

        // A connection, the file it opened (device and inode) and the -wal and -shm files it uses; null where unknown.
    internal readonly record struct Lease(SqliteConnection Connection, FileState? File, FileState? Wal, FileState? Shm);
}
