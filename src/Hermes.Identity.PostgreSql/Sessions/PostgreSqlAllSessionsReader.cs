using Hermes.Identity.Policy;
using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Internal;
using Hermes.Identity.Sessions;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Sessions;

// The owner's "sees all": asks the policy for sessions.read.all before every read and logs every answer; reads another
// profile's rows only when allowed. Storage failures come out as SessionStoreException.
internal sealed class PostgreSqlAllSessionsReader(TurnContext turn, PolicyEngine policy, PostgreSqlDatabase database) : IAllSessionsReader
{
    public async Task<IReadOnlyList<string>> ListProfilesAsync(CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync("*", "list profiles", cancellationToken).ConfigureAwait(false);
        var keys = await database.RunAsync("listing the profiles with sessions", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT DISTINCT profile FROM {database.Schema}.sessions", connection);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<string>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(reader.GetString(0));
            }

            return list;
        }, (message, inner) => new SessionStoreException(message, inner), cancellationToken).ConfigureAwait(false);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string profileKey, bool includeArchived = false, CancellationToken cancellationToken = default)
    {
        var sql = SqlOf(profileKey);
        await AuthorizeAsync(profileKey, "list sessions", cancellationToken).ConfigureAwait(false);
        return await RunAsync(profileKey, "listing sessions", (c, ct) => sql.ListAsync(c, includeArchived, ct), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string profileKey, string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        var sql = SqlOf(profileKey);
        ArgumentNullException.ThrowIfNull(sessionId);
        PostgreSqlSessionStore.ThrowIfNegative(limit);
        await AuthorizeAsync(profileKey, "read messages", cancellationToken).ConfigureAwait(false);
        return await RunAsync(profileKey, "reading messages", (c, ct) => sql.GetMessagesAsync(c, sessionId, limit, ct), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string profileKey, string query, int limit = 20, CancellationToken cancellationToken = default)
    {
        var sql = SqlOf(profileKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var parsed = SearchQuery.Parse(query);
        await AuthorizeAsync(profileKey, "search", cancellationToken).ConfigureAwait(false);
        if (parsed is null)
        {
            return [];
        }

        return await RunAsync(profileKey, "searching sessions", (c, ct) => sql.SearchAsync(c, parsed, limit, ct), cancellationToken).ConfigureAwait(false);
    }

    private SessionSql SqlOf(string profileKey)
    {
        ArgumentNullException.ThrowIfNull(profileKey);
        return new SessionSql(database.Schema, profileKey);
    }

    private Task<T> RunAsync<T>(string profileKey, string what, Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) =>
        database.RunAsync(what, operation, (message, inner) => PostgreSqlSessionStore.Fail(profileKey, message, inner), cancellationToken);

    private async ValueTask AuthorizeAsync(string target, string operation, CancellationToken cancellationToken)
    {
        turn.ThrowIfNotCurrent();
        var decision = await policy.AuthorizeAsync(PolicyActions.SessionsReadAll, "profile:" + target, cancellationToken).ConfigureAwait(false);
        var reader = turn.Profile;
        if (!decision.IsAllowed)
        {
            Log.AllSessionsReadDenied(database.Logger, reader.Key, reader.Role, target, operation, turn.TurnId, decision.Reason);
            throw new AccessDeniedException(PolicyActions.SessionsReadAll, "profile:" + target, decision);
        }

        Log.AllSessionsRead(database.Logger, reader.Key, reader.Role, target, operation, turn.TurnId);
    }
}
