using System.Globalization;
using System.Reflection;
using Hermes.Identity.State;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.State;

// The state database's schema, as a list of migrations. PRAGMA user_version is the number of migrations applied;
// the "about" table names the library version that last migrated the file, so an older library can say which
// version it needs. Append new steps; never edit a shipped one.
internal static class StateSchema
{
    internal static readonly string[] Migrations =
    [
        // 1: the records, the change sequence (one row) and what wrote the file. Times are Unix milliseconds, UTC.
        """
        CREATE TABLE records (
            kind       TEXT    NOT NULL,
            key        TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            expires_at INTEGER NULL,
            PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        CREATE INDEX records_by_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
        CREATE TABLE sequence (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            value INTEGER NOT NULL
        );
        INSERT INTO sequence (id, value) VALUES (1, 0);
        CREATE TABLE about (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    ];

    internal static int LatestVersion => Migrations.Length;

    // This library's version, as the about table records it and the messages name it.
    internal static string LibraryVersion { get; } = ReadLibraryVersion();

    // Brings the database up to LatestVersion (or targetVersion, for tests). Safe from several processes at once:
    // the version is re-read inside BEGIN IMMEDIATE, and the steps commit together with the new version number.
    // A file of a newer schema is refused with a StateStoreException saying which version wrote it.
    internal static (int From, int To) Migrate(SqliteConnection connection, string path, int? targetVersion = null)
    {
        var target = targetVersion ?? LatestVersion;
        var current = ReadVersion(connection);
        RefuseNewer(connection, path, current);
        if (current >= target)
        {
            return (current, current);
        }

        var from = current;
        using var transaction = connection.BeginTransaction(deferred: false);
        current = ReadVersion(connection);
        RefuseNewer(connection, path, current);
        for (var version = current; version < target; version++)
        {
            using var step = connection.CreateCommand();
            step.CommandText = Migrations[version];
            step.ExecuteNonQuery();
        }

        if (current < target)
        {
            using var about = connection.CreateCommand();
            about.CommandText = "INSERT INTO about (name, value) VALUES ('written_by', $v) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
            about.Parameters.AddWithValue("$v", "Hermes.Identity.Sqlite " + LibraryVersion);
            about.ExecuteNonQuery();
            using var setVersion = connection.CreateCommand();
            // PRAGMA takes no parameters; target is an int we computed.
            setVersion.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {target}");
            setVersion.ExecuteNonQuery();
        }

        transaction.Commit();
        return (from, Math.Max(current, target));
    }

    internal static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    internal static void RefuseNewer(SqliteConnection connection, string path, int version)
    {
        if (version <= LatestVersion)
        {
            return;
        }

        string? writtenBy = null;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT value FROM about WHERE name = 'written_by'";
            writtenBy = command.ExecuteScalar() as string;
        }
        catch (SqliteException)
        {
            // A newer schema may lay the table out differently: the message just says less.
        }

        throw new StateStoreException(
            $"The state database {path} has schema version {version}, written by {writtenBy ?? "a newer version of Hermes.Identity.Sqlite"}; " +
            $"this Hermes.Identity.Sqlite ({LibraryVersion}) knows schema versions up to {LatestVersion} and does not open it, so nothing was read or changed. " +
            $"Upgrade Hermes.Identity.Sqlite to {(writtenBy is null ? "the version that wrote it" : writtenBy.Replace("Hermes.Identity.Sqlite ", string.Empty, StringComparison.Ordinal))} or newer, " +
            "or restore a backup of the file made by this version (pending pairings and approvals made since are then lost).");
    }

    private static string ReadLibraryVersion()
    {
        var assembly = typeof(StateSchema).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is not null)
        {
            var plus = informational.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? informational : informational[..plus];
        }

        return assembly.GetName().Version?.ToString() ?? "unknown";
    }
}
