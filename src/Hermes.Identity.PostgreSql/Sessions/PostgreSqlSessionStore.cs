using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.Sessions;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Sessions;

// ISessionStore for the turn's profile, in the shared sessions and messages tables: every statement is scoped to that
// profile by SessionSql, and there is no profile argument to get wrong. Storage failures come out as
// SessionStoreException naming the profile and the server.
internal sealed class PostgreSqlSessionStore : ISessionStore
{
    private readonly PostgreSqlDatabase _database;
    private readonly TurnContext _turn;
    private readonly SessionSql _sql;
    private readonly SessionKey _key;

    public PostgreSqlSessionStore(TurnContext turn, PostgreSqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(turn);
        _turn = turn;
        _database = database;
        _sql = new SessionSql(database.Schema, turn.Profile.Key);
        _key = SessionKey.For(turn.Sender);
    }

    private DateTimeOffset Now => _database.Time.GetUtcNow();

    public Task<SessionInfo> OpenCurrentSessionAsync(CancellationToken cancellationToken = default) =>
        RunAsync("opening the current session", (c, ct) => _sql.OpenCurrentAsync(c, _key, Now, ct), cancellationToken);

    public Task<SessionInfo> StartNewSessionAsync(string? title = null, CancellationToken cancellationToken = default)
    {
        var normalized = NormalizeTitle(title);
        return RunAsync("starting a session", (c, ct) => _sql.StartNewAsync(c, _key, normalized, Now, ct), cancellationToken);
    }

    public Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return RunAsync("reading a session", (c, ct) => _sql.GetSessionAsync(c, sessionId, ct), cancellationToken);
    }

    public async Task AppendAsync(string sessionId, IReadOnlyList<SessionMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        Validate(messages, _database.Options.MaxMessageLength);
        await RunAsync("appending messages", (c, ct) => _sql.AppendAsync(c, sessionId, messages, Now, ct), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        ThrowIfNegative(limit);
        return RunAsync("reading messages", (c, ct) => _sql.GetMessagesAsync(c, sessionId, limit, ct), cancellationToken);
    }

    public async Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string query, int limit = 20, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        _turn.ThrowIfNotCurrent();
        if (SearchQuery.Parse(query) is not { } parsed)
        {
            return [];
        }

        return await RunAsync("searching sessions", (c, ct) => _sql.SearchAsync(c, parsed, limit, ct), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(bool includeArchived = false, CancellationToken cancellationToken = default) =>
        RunAsync("listing sessions", (c, ct) => _sql.ListAsync(c, includeArchived, ct), cancellationToken);

    public Task<SessionInfo> RenameSessionAsync(string sessionId, string? title, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var normalized = NormalizeTitle(title);
        return RunAsync("renaming a session", (c, ct) => _sql.RenameAsync(c, sessionId, normalized, Now, ct), cancellationToken);
    }

    public Task<SessionInfo> ArchiveSessionAsync(string sessionId, bool archived = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return RunAsync("archiving a session", (c, ct) => _sql.ArchiveAsync(c, sessionId, archived, Now, ct), cancellationToken);
    }

    public async Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await RunAsync("deleting a session", (c, ct) => _sql.DeleteAsync(c, sessionId, ct), cancellationToken).ConfigureAwait(false);
    }

    internal static void Validate(IReadOnlyList<SessionMessage> messages, int maxLength)
    {
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i] ?? throw new ArgumentException($"Message {i} is null.", nameof(messages));
            if (message.Role != SessionRoles.User && message.Role != SessionRoles.Assistant && message.Role != SessionRoles.Tool && message.Role != SessionRoles.System)
            {
                var shown = message.Role is null ? "(null)" : new string([.. message.Role.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
                throw new ArgumentException($"Message {i} has role '{shown}'; use one of user, assistant, tool or system (SessionRoles).", nameof(messages));
            }

            if (message.Content is null)
            {
                throw new ArgumentException($"Message {i} has no content; store an empty string for an empty message.", nameof(messages));
            }

            if (message.Content.Length > maxLength)
            {
                throw new ArgumentException($"Message {i} is {message.Content.Length} characters long; at most {maxLength} are accepted (PostgreSqlOptions.MaxMessageLength).", nameof(messages));
            }

            TextRules.Check(message.Content, nameof(messages), $"Message {i}");
            TextRules.Check(message.ToolName ?? string.Empty, nameof(messages), $"The tool name of message {i}");
            TextRules.Check(message.ToolCallId ?? string.Empty, nameof(messages), $"The tool call id of message {i}");
        }
    }

    internal static void ThrowIfNegative(int? limit)
    {
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be 0 or more, or null for every message.");
        }
    }

    internal static Exception Fail(string profileKey, string message, Exception inner) =>
        new SessionStoreException($"The sessions of profile '{profileKey}': {message}", inner);

    private static string? NormalizeTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }

        title = title.Trim();
        if (title.Length > 200)
        {
            throw new ArgumentException($"The title is {title.Length} characters long; at most 200 are accepted.", nameof(title));
        }

        TextRules.Check(title, nameof(title), "The title");
        return title;
    }

    // The one way into the database: only while this store's turn is the turn in progress on this flow.
    private Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        _turn.ThrowIfNotCurrent();
        return _database.RunAsync(what, operation, (message, inner) => Fail(_sql.Profile, message, inner), cancellationToken);
    }
}
