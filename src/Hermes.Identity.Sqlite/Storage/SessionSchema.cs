using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// The schema, as a list of migrations. The database's PRAGMA user_version is the number of migrations
// applied. Append new steps; never edit a shipped one.
internal static class SessionSchema
{
    internal static readonly string[] Migrations =
    [
        // 1: sessions and messages. Times are Unix milliseconds, UTC.
        """
        CREATE TABLE sessions (
            seq       INTEGER PRIMARY KEY,
            id        TEXT    NOT NULL UNIQUE,
            key       TEXT    NOT NULL,
            platform  TEXT    NOT NULL,
            chat_id   TEXT,
            chat_kind INTEGER NOT NULL,
            title     TEXT,
            created   INTEGER NOT NULL,
            updated   INTEGER NOT NULL,
            archived  INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sessions_by_key ON sessions (key, archived, seq);
        CREATE TABLE messages (
            id           INTEGER PRIMARY KEY,
            session      INTEGER NOT NULL REFERENCES sessions (seq) ON DELETE CASCADE,
            role         TEXT    NOT NULL,
            content      TEXT    NOT NULL,
            tool_name    TEXT,
            tool_call_id TEXT,
            time         INTEGER NOT NULL
        );
        CREATE INDEX messages_by_session ON messages (session, id);
        """,

        // 2: full-text search. The trigram tokenizer indexes every 3-character run, so text without spaces
        // (Chinese, Japanese) is searchable; shorter terms are matched with LIKE instead.
        """
        CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content = 'messages', content_rowid = 'id', tokenize = 'trigram');
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END;
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
        """,
    ];

    internal static int LatestVersion => Migrations.Length;

    // Brings the database up to LatestVersion (or to targetVersion, for tests). Safe to run any number of
    // times and from several processes at once: the version is re-read inside BEGIN IMMEDIATE, and each
    // step commits together with its new version number.
    internal static (int From, int To) Migrate(SqliteConnection connection, int? targetVersion = null)
    {
        var target = targetVersion ?? LatestVersion;
        var current = ReadVersion(connection);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The session database '{connection.DataSource}' has schema version {current}, newer than this version of Hermes.Identity.Sqlite " +
                $"knows ({LatestVersion}). Upgrade the package, or restore a backup made by this version.");
        }

        if (current >= target)
        {
            return (current, current);
        }

        var from = current;
        using var transaction = connection.BeginTransaction(deferred: false);
        current = ReadVersion(connection);
        for (var version = current; version < target; version++)
        {
            using var step = connection.CreateCommand();
            step.CommandText = Migrations[version];
            step.ExecuteNonQuery();
        }

        if (current < target)
        {
            using var setVersion = connection.CreateCommand();
            // PRAGMA takes no parameters; target is an int we computed.
            setVersion.CommandText = FormattableString.Invariant($"PRAGMA user_version = {target}");
            setVersion.ExecuteNonQuery();
        }

        transaction.Commit();
        return (from, Math.Max(current, target));
    }

    internal static int ReadVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
