using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Cli.Doctor;

/// <summary>Looks into SQLite files read-only: whether one is Hermes's own state.db, and PRAGMA integrity_check.</summary>
internal static class SqliteFiles
{
    public static SqliteConnection OpenReadOnly(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Hermes's state.db has a schema_version table and sessions with a source column; a profile database has neither.</summary>
    public static bool IsHermesStateDatabase(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version') + (SELECT count(*) FROM pragma_table_info('sessions') WHERE name = 'source')";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public static string IntegrityCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read() && lines.Count < 5)
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("; ", lines);
    }
}
