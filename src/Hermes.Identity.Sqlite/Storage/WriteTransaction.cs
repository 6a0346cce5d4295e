using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// BEGIN IMMEDIATE, spelled out: the write lock is taken at the start, where the busy timeout waits for it,
// instead of on the first write, where a WAL reader could not upgrade and would fail with SQLITE_BUSY.
internal sealed class WriteTransaction : IDisposable
{
    private readonly SqliteConnection _connection;
    private bool _done;

    private WriteTransaction(SqliteConnection connection) => _connection = connection;

    public static WriteTransaction Begin(SqliteConnection connection)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        return new WriteTransaction(connection);
    }

    public void Commit()
    {
        Execute(_connection, "COMMIT");
        _done = true;
    }

    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        // After some errors SQLite has already rolled back; the connection then has no transaction.
        if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            Execute(_connection, "ROLLBACK");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
