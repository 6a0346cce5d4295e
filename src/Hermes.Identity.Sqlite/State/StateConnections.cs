using System.Collections.Concurrent;
using System.Globalization;
using Hermes.Identity.Sqlite.Internal;
using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.State;

// The connections to the state database: a few idle ones kept for reuse, more opened when calls overlap. The first
// open makes the folder (owner-only on Unix) and the file, switches it to WAL and brings the schema up to date;
// later opens only set the per-connection pragmas and never create the file, so a file deleted while the host runs
// is an error rather than a silent fresh start. Thread-safe.
internal sealed class StateConnections : IDisposable
{
    private const int MaxIdle = 4;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly SqliteStateOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _setUp = new();
    private volatile bool _ready;
    private volatile bool _disposed;

    public StateConnections(string path, SqliteStateOptions options, ILogger logger)
    {
        Path = path;
        _options = options;
        _logger = logger;
    }

    public string Path { get; }

    // An open, configured connection; give it back with Return, or dispose it after a failure.
    public SqliteConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var idle))
        {
            return idle;
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

            var connection = Open(create: true);
            _ready = true;
            return connection;
        }
    }

    public void Return(SqliteConnection connection)
    {
        if (_disposed || _idle.Count >= MaxIdle)
        {
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
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
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    private SqliteConnection Open(bool create)
    {
        if (create)
        {
            CreateFile();
        }

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
            return;
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(Path))
        {
            return;
        }

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
}
