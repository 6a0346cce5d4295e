using System.Globalization;
using Hermes.Identity.Sessions;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// Refuses, before anything is written to it, a database at a profile's path that this library did not make:
// a Hermes Agent state.db (copied or linked where the profile's database should be), or any other SQLite file
// with tables in it. Ours always has PRAGMA user_version > 0 once it has tables, because each migration commits
// with its version number; a file at version 0 with tables in it is someone else's. Hermes's is recognised by its
// schema (hermes_state.py): a schema_version table and a sessions table with source and started_at columns.
internal static class ForeignDatabase
{
    // One statement, so the version and the tables come from one snapshot, even while another process migrates.
    private const string Probe = """
        SELECT (SELECT user_version FROM pragma_user_version),
               (SELECT count(*) FROM sqlite_master),
               EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'),
               (SELECT count(*) FROM pragma_table_info('sessions') WHERE name IN ('source', 'started_at'))
        """;

    /// <exception cref="SessionStoreException">The file is a Hermes Agent state.db, or holds tables of some other program.</exception>
    public static void ThrowIfForeign(SqliteConnection connection, string profile)
    {
        long version, objects, hermesColumns;
        bool schemaVersionTable;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = Probe;
            using var row = command.ExecuteReader();
            row.Read();
            (version, objects, schemaVersionTable, hermesColumns) = (row.GetInt64(0), row.GetInt64(1), row.GetBoolean(2), row.GetInt64(3));
        }

        if (version != 0 || objects == 0)
        {
            return;
        }

        var path = connection.DataSource;
        if (schemaVersionTable && hermesColumns == 2)
        {
            throw new SessionStoreException(
                $"The session database of profile '{profile}' ({path}) is a Hermes Agent state.db{HermesVersion(connection)}, not a session database of " +
                "Hermes.Identity, so it was not opened and nothing in it was changed. Move it out of the profile's folder, then import its sessions with " +
                $"`hermes-identity migrate hermes HERMES_HOME --owner {profile}`, HERMES_HOME being the Hermes home it came from " +
                "(a dry run with a report by default; add --apply to write). See docs/hermes.md.");
        }

        throw new SessionStoreException(
            $"The session database of profile '{profile}' ({path}) holds {objects} table(s) or index(es) that Hermes.Identity did not make " +
            "(its PRAGMA user_version is 0), so it was not opened and nothing in it was changed. It is another program's database: move it away, " +
            "and the profile's sessions start in a new file at that path.");
    }

    private static string HermesVersion(SqliteConnection connection)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT max(version) FROM schema_version";
            return command.ExecuteScalar() is long version ? string.Create(CultureInfo.InvariantCulture, $" (schema version {version})") : string.Empty;
        }
        catch (SqliteException)
        {
            return string.Empty; // the version is only for the message
        }
    }
}
