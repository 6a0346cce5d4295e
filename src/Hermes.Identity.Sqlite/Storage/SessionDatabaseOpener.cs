using System.Globalization;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.Storage;

// Opens one profile's database: WAL, the configured synchronous level, foreign keys, the busy timeout,
// and the schema migrated to the latest version; another program's database (a Hermes state.db) is refused
// untouched. Storage errors come out as SessionStoreException.
internal static class SessionDatabaseOpener
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static SqliteConnection Open(string path, bool create, SqliteSessionOptions options, ILogger logger)
    {
        var profile = SessionStoreErrors.ProfileOf(path);
        if (create)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            }
            catch (Exception ex) when (SessionStoreErrors.TranslateFolderError(ex, profile, path) is { } error)
            {
                throw error;
            }
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            // The pool in SessionDatabasePool owns the connections, so it alone decides what stays open.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var deadline = Environment.TickCount64 + (long)options.BusyTimeout.TotalMilliseconds;
            while (true)
            {
                try
                {
                    Configure(connection, profile, options, logger);
                    return connection;
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteBusy or SqliteLocked && Environment.TickCount64 < deadline)
                {
                    // Switching a new file to WAL takes an exclusive lock that the busy handler does not always
                    // wait for (SQLite skips it where waiting could deadlock, as when another process creates the
                    // same database at the same moment): try again.
                    Thread.Sleep(Random.Shared.Next(5, 25));
                }
            }
        }
        catch (Exception ex)
        {
            var error = ex switch
            {
                InvalidOperationException => new SessionStoreException($"Profile '{profile}': {ex.Message}", ex),
                SqliteException sqlite => SessionStoreErrors.Translate(sqlite, profile, path, connection),
                _ => null,
            };
            connection.Dispose();
            if (error is null)
            {
                throw;
            }

            throw error;
        }
    }

    public static string SynchronousPragma(SqliteSynchronousMode mode) => mode switch
    {
        SqliteSynchronousMode.Normal => "NORMAL",
        SqliteSynchronousMode.Extra => "EXTRA",
        _ => "FULL",
    };

    private static void Configure(SqliteConnection connection, string profile, SqliteSessionOptions options, ILogger logger)
    {
        Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}"));
        // Before the switch to WAL and the migrations: another program's database (a Hermes state.db) is left as it is.
        ForeignDatabase.ThrowIfForeign(connection, profile);
        var mode = Execute(connection, "PRAGMA journal_mode = WAL");
        if (!string.Equals(mode as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new SessionStoreException(
                $"The session database of profile '{profile}' ({connection.DataSource}) could not be switched to WAL mode (it is in '{mode}' mode). " +
                "Put the data root on a local file system that supports shared memory; network file systems do not.");
        }

        Execute(connection, "PRAGMA synchronous = " + SynchronousPragma(options.Synchronous));
        Execute(connection, "PRAGMA foreign_keys = ON");
        var (from, to) = SessionSchema.Migrate(connection);
        if (from != to && from != 0)
        {
            Log.DatabaseMigrated(logger, connection.DataSource, from, to);
        }
    }

    private static object? Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
