using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Internal;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Sqlite.Sessions;

// The owner's "sees all": asks the policy for sessions.read.all before every read, logs every answer,
// and opens other profiles' databases only when allowed, read as they are (never creating one). Storage errors
// come out as SessionStoreException naming the profile and the file.
internal sealed class SqliteAllSessionsReader : IAllSessionsReader
{
    private readonly TurnContext _turn;
    private readonly PolicyEngine _policy;
    private readonly SessionDatabasePool _pool;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly ILogger _logger;

    public SqliteAllSessionsReader(TurnContext turn, PolicyEngine policy, SessionDatabasePool pool, IIdentitySnapshotProvider snapshots, ILoggerFactory? loggerFactory = null)
    {
        _turn = turn;
        _policy = policy;
        _pool = pool;
        _snapshots = snapshots;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Sqlite.Sessions");
    }

    public async Task<IReadOnlyList<string>> ListProfilesAsync(CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync("*", "list profiles", cancellationToken).ConfigureAwait(false);
        var snapshot = _snapshots.Current;
        var agents = Path.Combine(snapshot.Root, "agents");
        if (!Directory.Exists(agents))
        {
            return [];
        }

        return Directory.EnumerateDirectories(agents)
            .Select(Path.GetFileName)
            .Where(key => ProfileKey.IsValid(key) && File.Exists(snapshot.GetPaths(key!).SessionDatabase))
            .Select(key => key!)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string profileKey, bool includeArchived = false, CancellationToken cancellationToken = default)
    {
        var path = PathOf(profileKey);
        await AuthorizeAsync(profileKey, "list sessions", cancellationToken).ConfigureAwait(false);
        return await ReadAsync(profileKey, path, connection => SessionQueries.List(connection, includeArchived), () => [], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string profileKey, string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = PathOf(profileKey);
        ArgumentNullException.ThrowIfNull(sessionId);
        SqliteSessionStore.ThrowIfNegative(limit);
        await AuthorizeAsync(profileKey, "read messages", cancellationToken).ConfigureAwait(false);
        return await ReadAsync(profileKey, path, connection => SessionQueries.GetMessages(connection, sessionId, limit), () => throw new SessionNotFoundException(sessionId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string profileKey, string query, int limit = 20, CancellationToken cancellationToken = default)
    {
        var path = PathOf(profileKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var parsed = SearchQuery.Parse(query);
        await AuthorizeAsync(profileKey, "search", cancellationToken).ConfigureAwait(false);
        if (parsed is null)
        {
            return [];
        }

        return await ReadAsync(profileKey, path, connection => SessionQueries.Search(connection, parsed, limit), () => [], cancellationToken).ConfigureAwait(false);
    }

    private string PathOf(string profileKey)
    {
        ArgumentNullException.ThrowIfNull(profileKey);
        return Path.GetFullPath(_snapshots.Current.GetPaths(profileKey).SessionDatabase);
    }

    // operation on the profile's database, or whenMissing() when the profile has none.
    private async Task<T> ReadAsync<T>(string profileKey, string path, Func<SqliteConnection, T> operation, Func<T> whenMissing, CancellationToken cancellationToken)
    {
        using var db = await _pool.AcquireAsync(path, create: false, cancellationToken).ConfigureAwait(false);
        if (db is null)
        {
            return whenMissing();
        }

        try
        {
            return operation(db.Connection);
        }
        catch (SqliteException ex) when (SessionStoreErrors.Translate(ex, profileKey, path, db.Connection) is { } error)
        {
            db.CloseAfterUse();
            throw error;
        }
    }

    private async ValueTask AuthorizeAsync(string target, string operation, CancellationToken cancellationToken)
    {
        _turn.ThrowIfNotCurrent();
        var decision = await _policy.AuthorizeAsync(PolicyActions.SessionsReadAll, "profile:" + target, cancellationToken).ConfigureAwait(false);
        var reader = _turn.Profile;
        if (!decision.IsAllowed)
        {
            Log.AllSessionsReadDenied(_logger, reader.Key, reader.Role, target, operation, _turn.TurnId, decision.Reason);
            throw new AccessDeniedException(PolicyActions.SessionsReadAll, "profile:" + target, decision);
        }

        Log.AllSessionsRead(_logger, reader.Key, reader.Role, target, operation, _turn.TurnId);
    }
}
