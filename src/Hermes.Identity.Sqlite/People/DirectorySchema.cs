using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.People;

// The directory database's schema. PRAGMA user_version is the number of migrations applied; append new steps, never
// edit a shipped one. One row per person (accounts joined by '\n': a user id never holds a control character), an
// account table that keeps every account one person's, a removal log (key, version) so that another process can
// follow removals, and the directory's version (one row), moved once per write.
internal static class DirectorySchema
{
    internal static readonly string[] Migrations =
    [
        """
        CREATE TABLE people (
            key          TEXT    NOT NULL PRIMARY KEY,
            role         TEXT    NOT NULL,
            display_name TEXT    NULL,
            accounts     TEXT    NOT NULL,
            version      INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX people_by_version ON people (version);
        CREATE TABLE accounts (
            account TEXT NOT NULL PRIMARY KEY,
            key     TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE removed (
            key     TEXT    NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX removed_by_version ON removed (version);
        CREATE TABLE directory_version (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL
        );
        INSERT INTO directory_version (id, value) VALUES (1, 0);
        """,
    ];

    // Brings the file up to the latest schema; safe from several processes at once (the version is read again inside
    // BEGIN IMMEDIATE). A file of a newer schema is refused.
    internal static void Migrate(SqliteConnection connection, string path)
    {
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        if (ReadVersion(connection) == Migrations.Length)
        {
            return;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var current = ReadVersion(connection);
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The identity directory {path} has schema version {current}, newer than this library's {Migrations.Length}: update Hermes.Identity.Sqlite in this host (or point it at another file).");
        }

        for (var version = current; version < Migrations.Length; version++)
        {
            using var step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            step.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static long ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)command.ExecuteScalar()!;
    }
}
