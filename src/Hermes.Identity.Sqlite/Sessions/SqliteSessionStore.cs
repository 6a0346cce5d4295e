using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Sessions;

// ISessionStore for the turn's profile: every call opens that profile's own database file, and nothing
// else. There is no profile argument to get wrong, and no row of another profile in the file to leak.
// Storage errors come out as SessionStoreException naming the profile and the file.
internal sealed class SqliteSessionStore : ISessionStore
{
    private readonly SessionDatabasePool _pool;
    private readonly TimeProvider _time;
    private readonly TurnContext _turn;
    private readonly string _path;
    private readonly string _profileKey;
    private readonly SessionKey _key;

    public SqliteSessionStore(TurnContext turn, SessionDatabasePool pool, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(turn);
        _pool = pool;
        _time = time;
        _turn = turn;
        _path = Path.GetFullPath(turn.Profile.Paths.SessionDatabase);
        _profileKey = turn.Profile.Key;
        _key = SessionKey.For(turn.Sender);
    }

    public async Task<SessionInfo> OpenCurrentSessionAsync(CancellationToken cancellationToken = default)
    {
        return await RunAsync(connection => SessionQueries.OpenCurrent(connection, _key, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionInfo> StartNewSessionAsync(string? title = null, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeTitle(title);
        return await RunAsync(connection => SessionQueries.StartNew(connection, _key, normalized, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return await RunAsync(connection => SessionQueries.GetSession(connection, sessionId), cancellationToken).ConfigureAwait(false);
    }

    public async Task AppendAsync(string sessionId, IReadOnlyList<SessionMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        Validate(messages, _pool.Options.MaxMessageLength);
        await RunAsync(connection => SessionQueries.Append(connection, sessionId, messages, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ThrowIfNegative(limit);
        return await RunAsync(connection => SessionQueries.GetMessages(connection, sessionId, limit), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string query, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _turn.ThrowIfNotCurrent();
        if (SearchQuery.Parse(query) is not { } parsed)
        {
            return [];
        }

        return await RunAsync(connection => SessionQueries.Search(connection, parsed, limit), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(bool includeArchived = false, CancellationToken cancellationToken = default)
    {
        return await RunAsync(connection => SessionQueries.List(connection, includeArchived), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionInfo> RenameSessionAsync(string sessionId, string? title, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var normalized = NormalizeTitle(title);
        return await RunAsync(connection => SessionQueries.Rename(connection, sessionId, normalized, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionInfo> ArchiveSessionAsync(string sessionId, bool archived = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return await RunAsync(connection => SessionQueries.Archive(connection, sessionId, archived, _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await RunAsync(connection => SessionQueries.Delete(connection, sessionId), cancellationToken).ConfigureAwait(false);
    }

    internal static void Validate(IReadOnlyList<SessionMessage> messages, int maxLength)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            if (message.Role != SessionRoles.User && message.Role != SessionRoles.Assistant && message.Role != SessionRoles.Tool && message.Role != SessionRoles.System)
            {
                var shown = message.Role is null ? "(null)" : new string([.. message.Role.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
                throw new ArgumentException(
                    $"Message {i} has role '{shown}'; use one of user, assistant, tool or system (SessionRoles).", nameof(messages));
            }

            if (message.Content is null)
            {
                throw new ArgumentException($"Message {i} has no content; store an empty string for an empty message.", nameof(messages));
            }

            if (message.Content.Length > maxLength)
            {
                throw new ArgumentException(
                    $"Message {i} is {message.Content.Length} characters long; at most {maxLength} are accepted (SqliteSessionOptions.MaxMessageLength).", nameof(messages));
            }
        }
    }

    internal static void ThrowIfNegative(int? limit)
    {
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be 0 or more, or null for every message.");
        }
    }

    private static string? NormalizeTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }

        title = title.Trim();
        return title.Length <= 200 ? title : throw new ArgumentException($"The title is {title.Length} characters long; at most 200 are accepted.", nameof(title));
    }

    // The one way into the database: only while this store's turn is the turn in progress on this flow.
    private async Task<T> RunAsync<T>(Func<SqliteConnection, T> operation, CancellationToken cancellationToken)
    {
        _turn.ThrowIfNotCurrent();
        using var db = (await _pool.AcquireAsync(_path, create: true, cancellationToken).ConfigureAwait(false))!;
        try
        {
            return operation(db.Connection);
        }
        catch (SqliteException ex) when (SessionStoreErrors.Translate(ex, _profileKey, _path, db.Connection) is { } error)
        {
            db.CloseAfterUse();
            throw error;
        }
    }

    private async Task RunAsync(Action<SqliteConnection> operation, CancellationToken cancellationToken) =>
        await RunAsync(
            connection =>
            {
                operation(connection);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
}
