using Hermes.Identity.Sessions;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// The SQL of one profile's database. Every statement runs on a connection to that profile's own file,
// so none of them needs, or has, a profile column to filter on. Every write runs in
// BeginTransaction(deferred: false), which Microsoft.Data.Sqlite issues as BEGIN IMMEDIATE: the write lock is
// taken at the start, where the busy timeout waits for it, not on the first write, where a WAL reader could
// not upgrade and would fail with SQLITE_BUSY. Commands made by connection.CreateCommand() join the transaction.
internal static class SessionQueries
{
    private const string SessionColumns = "id, key, platform, chat_id, chat_kind, title, created, updated, archived";

    public static SessionInfo? FindSession(SqliteConnection connection, string sessionId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SessionColumns} FROM sessions WHERE id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSession(reader) : null;
    }

    public static SessionInfo GetSession(SqliteConnection connection, string sessionId) =>
        FindSession(connection, sessionId) ?? throw new SessionNotFoundException(sessionId);

    // The newest unarchived session of the conversation, created if there is none. The check is repeated
    // under the write lock, so processes racing to create it end up with one session.
    public static SessionInfo OpenCurrent(SqliteConnection connection, SessionKey key, DateTimeOffset now)
    {
        if (FindCurrent(connection, key.Value) is { } existing)
        {
            return existing;
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var session = FindCurrent(connection, key.Value) ?? Insert(connection, key, null, now);
        transaction.Commit();
        return session;
    }

    public static SessionInfo StartNew(SqliteConnection connection, SessionKey key, string? title, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var session = Insert(connection, key, title, now);
        transaction.Commit();
        return session;
    }

    public static void Append(SqliteConnection connection, string sessionId, IReadOnlyList<SessionMessage> messages, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var seq = RequireSeq(connection, sessionId);

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO messages (session, role, content, tool_name, tool_call_id, time) VALUES ($session, $role, $content, $tool, $call, $time)";
        var pSession = insert.Parameters.Add("$session", SqliteType.Integer);
        var pRole = insert.Parameters.Add("$role", SqliteType.Text);
        var pContent = insert.Parameters.Add("$content", SqliteType.Text);
        var pTool = insert.Parameters.Add("$tool", SqliteType.Text);
        var pCall = insert.Parameters.Add("$call", SqliteType.Text);
        var pTime = insert.Parameters.Add("$time", SqliteType.Integer);
        pSession.Value = seq;
        foreach (var message in messages)
        {
            pRole.Value = message.Role;
            pContent.Value = message.Content;
            pTool.Value = (object?)message.ToolName ?? DBNull.Value;
            pCall.Value = (object?)message.ToolCallId ?? DBNull.Value;
            pTime.Value = (message.Time == default ? now : message.Time).ToUnixTimeMilliseconds();
            insert.ExecuteNonQuery();
        }

        using var touch = connection.CreateCommand();
        touch.CommandText = "UPDATE sessions SET updated = max(updated, $now) WHERE seq = $seq";
        touch.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        touch.Parameters.AddWithValue("$seq", seq);
        touch.ExecuteNonQuery();
        transaction.Commit();
    }

    public static IReadOnlyList<SessionMessage> GetMessages(SqliteConnection connection, string sessionId, int? limit)
    {
        var seq = RequireSeq(connection, sessionId);

        using var command = connection.CreateCommand();
        // The latest `limit` messages, newest first here and reversed below; -1 means no limit in SQLite.
        command.CommandText = "SELECT id, role, content, tool_name, tool_call_id, time FROM messages WHERE session = $seq ORDER BY id DESC LIMIT $limit";
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$limit", limit ?? -1);
        var messages = new List<SessionMessage>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                messages.Add(new SessionMessage(reader.GetString(1), reader.GetString(2))
                {
                    ToolName = reader.IsDBNull(3) ? null : reader.GetString(3),
                    ToolCallId = reader.IsDBNull(4) ? null : reader.GetString(4),
                    Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    Id = reader.GetInt64(0),
                });
            }
        }

        messages.Reverse();
        return messages;
    }

    public static IReadOnlyList<SessionInfo> List(SqliteConnection connection, bool includeArchived)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SessionColumns} FROM sessions WHERE $all OR archived = 0 ORDER BY updated DESC, seq DESC";
        command.Parameters.AddWithValue("$all", includeArchived);
        using var reader = command.ExecuteReader();
        var sessions = new List<SessionInfo>();
        while (reader.Read())
        {
            sessions.Add(ReadSession(reader));
        }

        return sessions;
    }

    public static SessionInfo Rename(SqliteConnection connection, string sessionId, string? title, DateTimeOffset now) =>
        Update(connection, sessionId, "title = $value", title, now);

    public static SessionInfo Archive(SqliteConnection connection, string sessionId, bool archived, DateTimeOffset now) =>
        Update(connection, sessionId, "archived = $value", archived, now);

    public static void Delete(SqliteConnection connection, string sessionId)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM sessions WHERE id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        if (command.ExecuteNonQuery() == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }

        transaction.Commit();
    }

    public static IReadOnlyList<SessionSearchHit> Search(SqliteConnection connection, SearchQuery query, int limit)
    {
        var hits = new List<SessionSearchHit>();
        SearchTitles(connection, query, limit, hits);
        if (hits.Count < limit)
        {
            SearchMessages(connection, query, limit - hits.Count, hits);
        }

        return hits;
    }

    private static void SearchTitles(SqliteConnection connection, SearchQuery query, int limit, List<SessionSearchHit> hits)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, title, updated FROM sessions WHERE title IS NOT NULL AND {query.LikeClause("title", command)} ORDER BY updated DESC LIMIT $limit";
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var title = reader.GetString(1);
            hits.Add(new SessionSearchHit
            {
                SessionId = reader.GetString(0),
                Snippet = title,
                Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                SessionTitle = title,
            });
        }
    }

    private static void SearchMessages(SqliteConnection connection, SearchQuery query, int limit, List<SessionSearchHit> hits)
    {
        using var command = connection.CreateCommand();
        if (query.FullTextMatch is { } match)
        {
            // Terms of 3 characters or more go to the trigram index; shorter ones filter its results.
            var shortTerms = query.HasShortTerms ? " AND " + query.LikeClause("m.content", command, shortOnly: true) : string.Empty;
            command.CommandText =
                "SELECT m.id, s.id, snippet(messages_fts, 0, '', '', '…', 24), m.time, m.role, s.title " +
                "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN sessions s ON s.seq = m.session " +
                $"WHERE messages_fts MATCH $match{shortTerms} ORDER BY messages_fts.rank, m.id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$match", match);
        }
        else
        {
            // Only short terms (a two-character Chinese word, say): no trigram to look up, so scan this profile's messages.
            command.CommandText =
                "SELECT m.id, s.id, m.content, m.time, m.role, s.title FROM messages m JOIN sessions s ON s.seq = m.session " +
                $"WHERE {query.LikeClause("m.content", command)} ORDER BY m.id DESC LIMIT $limit";
        }

        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var text = reader.GetString(2);
            hits.Add(new SessionSearchHit
            {
                SessionId = reader.GetString(1),
                MessageId = reader.GetInt64(0),
                Snippet = query.FullTextMatch is null ? SearchQuery.Snippet(text, query.Terms[0]) : text,
                Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                Role = reader.GetString(4),
                SessionTitle = reader.IsDBNull(5) ? null : reader.GetString(5),
            });
        }
    }

    // The session's row number, or SessionNotFoundException: the same for an id of another profile, which is not in this file.
    private static long RequireSeq(SqliteConnection connection, string sessionId)
    {
        using var find = connection.CreateCommand();
        find.CommandText = "SELECT seq FROM sessions WHERE id = $id";
        find.Parameters.AddWithValue("$id", sessionId);
        return find.ExecuteScalar() is long seq ? seq : throw new SessionNotFoundException(sessionId);
    }

    private static SessionInfo? FindCurrent(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SessionColumns} FROM sessions WHERE key = $key AND archived = 0 ORDER BY seq DESC LIMIT 1";
        command.Parameters.AddWithValue("$key", key);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSession(reader) : null;
    }

    private static SessionInfo Insert(SqliteConnection connection, SessionKey key, string? title, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7(now).ToString("N");
        using var command = connection.CreateCommand();
        command.CommandText =
            "INSERT INTO sessions (id, key, platform, chat_id, chat_kind, title, created, updated) " +
            "VALUES ($id, $key, $platform, $chat, $kind, $title, $now, $now)";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$key", key.Value);
        command.Parameters.AddWithValue("$platform", key.Platform);
        command.Parameters.AddWithValue("$chat", (object?)key.ChatId ?? DBNull.Value);
        command.Parameters.AddWithValue("$kind", (int)key.ChatKind);
        command.Parameters.AddWithValue("$title", (object?)title ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
        // Read back so the times carry the store's millisecond precision.
        return FindSession(connection, id)!;
    }

    private static SessionInfo Update(SqliteConnection connection, string sessionId, string assignment, object? value, DateTimeOffset now)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE sessions SET {assignment}, updated = max(updated, $now) WHERE id = $id";
        command.Parameters.AddWithValue("$value", value ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$id", sessionId);
        if (command.ExecuteNonQuery() == 0)
        {
            throw new SessionNotFoundException(sessionId);
        }

        var session = GetSession(connection, sessionId);
        transaction.Commit();
        return session;
    }

    private static SessionInfo ReadSession(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Key = reader.GetString(1),
        ChatId = reader.IsDBNull(3) ? null : reader.GetString(3),
        ChatKind = (ChatKind)reader.GetInt32(4),
        Title = reader.IsDBNull(5) ? null : reader.GetString(5),
        Created = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        Updated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        Archived = reader.GetBoolean(8),
    };
}
