using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Benchmarks;

// The baseline: every person's sessions in one database with a user_id column, the way Hermes stores
// them today. Same SQLite settings, the same trigram FTS5 index and the same SQL as the per-profile store,
// plus the user_id filter.
internal static class SessionSharedDatabase
{
    public static SqliteConnection Open(string path, SqliteSynchronousMode synchronous, bool withSearchIndex = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = " + SessionDatabaseOpener.SynchronousPragma(synchronous));
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS sessions (
                seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, key TEXT NOT NULL, platform TEXT NOT NULL,
                chat_id TEXT, chat_kind INTEGER NOT NULL, title TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL, archived INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX IF NOT EXISTS sessions_by_user_key ON sessions (user_id, key, archived, seq);
            CREATE TABLE IF NOT EXISTS messages (
                id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, session INTEGER NOT NULL REFERENCES sessions (seq) ON DELETE CASCADE,
                role TEXT NOT NULL, content TEXT NOT NULL, tool_name TEXT, tool_call_id TEXT, time INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS messages_by_user_session ON messages (user_id, session, id);
            """);
        if (withSearchIndex)
        {
            AddSearchIndex(connection);
        }

        return connection;
    }

    // The same index and trigger as the store's migration 2; 'rebuild' indexes rows loaded before it.
    public static void AddSearchIndex(SqliteConnection connection)
    {
        Execute(connection, """
            CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5 (content, content = 'messages', content_rowid = 'id', tokenize = 'trigram');
            CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
            END;
            """);
        if (Scalar(connection, "SELECT count(*) FROM messages_fts_docsize") != Scalar(connection, "SELECT count(*) FROM messages"))
        {
            Execute(connection, "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
        }
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    // One term: of 3 characters or more through the trigram index, filtered by user_id; shorter (a trigram index cannot
    // find it) by scanning the user's messages with LIKE, as the store does within its own database.
    public static int Search(SqliteConnection connection, string user, string term, int limit)
    {
        using var command = connection.CreateCommand();
        if (term.EnumerateRunes().Count() >= 3)
        {
            command.CommandText =
                "SELECT m.id, s.id, snippet(messages_fts, 0, '', '', '…', 24), m.time, m.role, s.title " +
                "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN sessions s ON s.seq = m.session " +
                "WHERE messages_fts MATCH $match AND m.user_id = $user ORDER BY messages_fts.rank, m.id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$match", "\"" + term + "\"");
        }
        else
        {
            command.CommandText =
                "SELECT m.id, s.id, m.content, m.time, m.role, s.title FROM messages m JOIN sessions s ON s.seq = m.session " +
                "WHERE m.user_id = $user AND m.content LIKE $like ESCAPE '\\' ORDER BY m.id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$like", "%" + term.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%");
        }

        command.Parameters.AddWithValue("$user", user);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            _ = reader.GetString(2);
            count++;
        }

        return count;
    }

    public static void Append(SqliteConnection connection, string user, string sessionId, string content, long now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var find = connection.CreateCommand();
        find.CommandText = "SELECT seq FROM sessions WHERE id = $id AND user_id = $user";
        find.Parameters.AddWithValue("$id", sessionId);
        find.Parameters.AddWithValue("$user", user);
        var seq = (long)find.ExecuteScalar()!;
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO messages (user_id, session, role, content, time) VALUES ($user, $session, 'user', $content, $time)";
        insert.Parameters.AddWithValue("$user", user);
        insert.Parameters.AddWithValue("$session", seq);
        insert.Parameters.AddWithValue("$content", content);
        insert.Parameters.AddWithValue("$time", now);
        insert.ExecuteNonQuery();
        using var touch = connection.CreateCommand();
        touch.CommandText = "UPDATE sessions SET updated = max(updated, $now) WHERE seq = $seq";
        touch.Parameters.AddWithValue("$now", now);
        touch.Parameters.AddWithValue("$seq", seq);
        touch.ExecuteNonQuery();
        transaction.Commit();
    }

    public static string FirstSessionOf(SqliteConnection connection, string? user)
    {
        using var command = connection.CreateCommand();
        command.CommandText = user is null ? "SELECT id FROM sessions ORDER BY seq LIMIT 1" : "SELECT id FROM sessions WHERE user_id = $user ORDER BY seq LIMIT 1";
        if (user is not null)
        {
            command.Parameters.AddWithValue("$user", user);
        }

        return (string)command.ExecuteScalar()!;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
