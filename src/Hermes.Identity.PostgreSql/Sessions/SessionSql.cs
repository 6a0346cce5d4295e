using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.Sessions;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Sessions;

// The SQL of the session store. Every statement names the profile ($1) in its WHERE clause, and every join stays within
// it: a session id of another profile is simply not found. Writes are one transaction each.
internal sealed class SessionSql(string schema, string profile)
{
    private const string SessionColumns = "id, key, platform, chat_id, chat_kind, title, created, updated, archived";

    public string Profile => profile;

    public async Task<SessionInfo?> FindSessionAsync(NpgsqlConnection connection, string sessionId, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        using var command = Command($"SELECT {SessionColumns} FROM {schema}.sessions WHERE profile = $1 AND id = $2", connection, transaction);
        command.Parameters.Add(Text(sessionId));
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadSession(reader) : null;
    }

    public async Task<SessionInfo> GetSessionAsync(NpgsqlConnection connection, string sessionId, CancellationToken ct) =>
        await FindSessionAsync(connection, sessionId, ct).ConfigureAwait(false) ?? throw new SessionNotFoundException(sessionId);

    // The newest unarchived session of the conversation, created if there is none. Replicas racing to create it
    // serialize on a transaction-scoped advisory lock of (profile, conversation) and end up with one session.
    public async Task<SessionInfo> OpenCurrentAsync(NpgsqlConnection connection, SessionKey key, DateTimeOffset now, CancellationToken ct)
    {
        if (await FindCurrentAsync(connection, key.Value, null, ct).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            using (var gate = Command("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))", connection, transaction))
            {
                gate.Parameters.Add(Text(key.Value));
                await gate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            var session = await FindCurrentAsync(connection, key.Value, transaction, ct).ConfigureAwait(false)
                ?? await InsertAsync(connection, transaction, key, null, now, ct).ConfigureAwait(false);
            await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
            return session;
        }
    }

    public async Task<SessionInfo> StartNewAsync(NpgsqlConnection connection, SessionKey key, string? title, DateTimeOffset now, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var session = await InsertAsync(connection, transaction, key, title, now, ct).ConfigureAwait(false);
            await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
            return session;
        }
    }

    public async Task<bool> AppendAsync(NpgsqlConnection connection, string sessionId, IReadOnlyList<SessionMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            long seq;
            using (var touch = Command($"UPDATE {schema}.sessions SET updated = greatest(updated, $3) WHERE profile = $1 AND id = $2 RETURNING seq", connection, transaction))
            {
                touch.Parameters.Add(Text(sessionId));
                touch.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
                seq = await touch.ExecuteScalarAsync(ct).ConfigureAwait(false) is long found ? found : throw new SessionNotFoundException(sessionId);
            }

            if (messages.Count > 0)
            {
                using var insert = Command(
                    $"""
                    INSERT INTO {schema}.messages (profile, session, role, content, tool_name, tool_call_id, time)
                    SELECT $1, $2, m.role, m.content, m.tool_name, m.tool_call_id, m.time
                    FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) WITH ORDINALITY AS m(role, content, tool_name, tool_call_id, time, n)
                    ORDER BY m.n
                    """,
                    connection,
                    transaction);
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
                insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. messages.Select(m => m.Role)] });
                insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. messages.Select(m => m.Content)] });
                insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. messages.Select(m => m.ToolName)] });
                insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. messages.Select(m => m.ToolCallId)] });
                insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. messages.Select(m => (m.Time == default ? now : m.Time).ToUnixTimeMilliseconds())] });
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
            return true;
        }
    }

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(NpgsqlConnection connection, string sessionId, int? limit, CancellationToken ct)
    {
        var seq = await RequireSeqAsync(connection, sessionId, ct).ConfigureAwait(false);
        using var command = Command(
            $"SELECT id, role, content, tool_name, tool_call_id, time FROM {schema}.messages WHERE profile = $1 AND session = $2 ORDER BY id DESC LIMIT $3",
            connection,
            null);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        command.Parameters.Add(new NpgsqlParameter { Value = limit is { } l ? l : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        var messages = new List<SessionMessage>();
        using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
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

    public async Task<IReadOnlyList<SessionInfo>> ListAsync(NpgsqlConnection connection, bool includeArchived, CancellationToken ct)
    {
        using var command = Command($"SELECT {SessionColumns} FROM {schema}.sessions WHERE profile = $1 AND ($2 OR NOT archived) ORDER BY updated DESC, seq DESC", connection, null);
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = includeArchived });
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var sessions = new List<SessionInfo>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            sessions.Add(ReadSession(reader));
        }

        return sessions;
    }

    public Task<SessionInfo> RenameAsync(NpgsqlConnection connection, string sessionId, string? title, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(connection, sessionId, "title = $3", new NpgsqlParameter { Value = (object?)title ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }, now, ct);

    public Task<SessionInfo> ArchiveAsync(NpgsqlConnection connection, string sessionId, bool archived, DateTimeOffset now, CancellationToken ct) =>
        UpdateAsync(connection, sessionId, "archived = $3", new NpgsqlParameter<bool> { TypedValue = archived }, now, ct);

    public async Task<bool> DeleteAsync(NpgsqlConnection connection, string sessionId, CancellationToken ct)
    {
        using var command = Command($"DELETE FROM {schema}.sessions WHERE profile = $1 AND id = $2", connection, null);
        command.Parameters.Add(Text(sessionId));
        return await PostgreSqlDatabase.WriteAsync(command).ConfigureAwait(false) > 0 ? true : throw new SessionNotFoundException(sessionId);
    }

    // Every session of the profile (its messages go with them); the number of sessions deleted.
    public async Task<int> EraseAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        using var command = Command($"DELETE FROM {schema}.sessions WHERE profile = $1", connection, null);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionSearchHit>> SearchAsync(NpgsqlConnection connection, SearchQuery query, int limit, CancellationToken ct)
    {
        var hits = new List<SessionSearchHit>();
        using (var titles = Command(string.Empty, connection, null))
        {
            titles.CommandText = $"SELECT id, title, updated FROM {schema}.sessions WHERE profile = $1 AND title IS NOT NULL AND {query.LikeClause("title", titles)} ORDER BY updated DESC, seq DESC LIMIT {limit}";
            using var reader = await titles.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var title = reader.GetString(1);
                hits.Add(new SessionSearchHit { SessionId = reader.GetString(0), Snippet = title, Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), SessionTitle = title });
            }
        }

        if (hits.Count >= limit)
        {
            return hits;
        }

        using var messages = Command(string.Empty, connection, null);
        messages.CommandText =
            $"SELECT m.id, s.id, m.content, m.time, m.role, s.title FROM {schema}.messages m JOIN {schema}.sessions s ON s.seq = m.session AND s.profile = $1 " +
            $"WHERE m.profile = $1 AND {query.LikeClause("m.content", messages)} ORDER BY m.id DESC LIMIT {limit - hits.Count}";
        using var found = await messages.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await found.ReadAsync(ct).ConfigureAwait(false))
        {
            hits.Add(new SessionSearchHit
            {
                SessionId = found.GetString(1),
                MessageId = found.GetInt64(0),
                Snippet = query.Snippet(found.GetString(2)),
                Time = DateTimeOffset.FromUnixTimeMilliseconds(found.GetInt64(3)),
                Role = found.GetString(4),
                SessionTitle = found.IsDBNull(5) ? null : found.GetString(5),
            });
        }

        return hits;
    }

    // A command with the profile as $1.
    private NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(Text(profile));
        return command;
    }

    private async Task<long> RequireSeqAsync(NpgsqlConnection connection, string sessionId, CancellationToken ct)
    {
        using var find = Command($"SELECT seq FROM {schema}.sessions WHERE profile = $1 AND id = $2", connection, null);
        find.Parameters.Add(Text(sessionId));
        return await find.ExecuteScalarAsync(ct).ConfigureAwait(false) is long seq ? seq : throw new SessionNotFoundException(sessionId);
    }

    private async Task<SessionInfo?> FindCurrentAsync(NpgsqlConnection connection, string key, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        using var command = Command($"SELECT {SessionColumns} FROM {schema}.sessions WHERE profile = $1 AND key = $2 AND NOT archived ORDER BY seq DESC LIMIT 1", connection, transaction);
        command.Parameters.Add(Text(key));
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadSession(reader) : null;
    }

    private async Task<SessionInfo> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SessionKey key, string? title, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now).ToString("N");
        using (var command = Command(
            $"INSERT INTO {schema}.sessions (profile, id, key, platform, chat_id, chat_kind, title, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            connection,
            transaction))
        {
            command.Parameters.Add(Text(id));
            command.Parameters.Add(Text(key.Value));
            command.Parameters.Add(Text(key.Platform));
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)key.ChatId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)key.ChatKind });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)title ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return (await FindSessionAsync(connection, id, ct, transaction).ConfigureAwait(false))!;
    }

    private async Task<SessionInfo> UpdateAsync(NpgsqlConnection connection, string sessionId, string assignment, NpgsqlParameter value, DateTimeOffset now, CancellationToken ct)
    {
        using var command = Command(
            $"UPDATE {schema}.sessions SET {assignment}, updated = greatest(updated, $4) WHERE profile = $1 AND id = $2 RETURNING {SessionColumns}",
            connection,
            null);
        command.Parameters.Add(Text(sessionId));
        command.Parameters.Add(value);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadSession(reader) : throw new SessionNotFoundException(sessionId);
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static SessionInfo ReadSession(NpgsqlDataReader reader) => new()
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
