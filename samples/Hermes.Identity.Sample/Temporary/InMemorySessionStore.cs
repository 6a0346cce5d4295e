using System.Collections.Concurrent;
using Hermes.Identity.Sessions;

namespace Hermes.Identity.Sample.Temporary;

/// <summary>
/// TEMPORARY, until the SQLite session store lands on main: one in-memory session per profile, bound to the
/// turn it was resolved in. Replace with <c>AddHermesIsolation().AddSqliteSessions()</c>.
/// </summary>
public sealed class InMemorySessionStore(TurnContext turn, InMemorySessionStore.Shelf shelf) : ISessionStore
{
    /// <inheritdoc />
    public Task<SessionInfo> OpenCurrentSessionAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new SessionInfo(turn.Profile.Key + "-main"));

    /// <inheritdoc />
    public Task AppendAsync(string sessionId, IReadOnlyList<SessionMessage> messages, CancellationToken cancellationToken = default)
    {
        var list = Own(sessionId);
        lock (list)
        {
            list.AddRange(messages);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default)
    {
        var list = Own(sessionId);
        lock (list)
        {
            IReadOnlyList<SessionMessage> copy = [.. list.TakeLast(limit ?? int.MaxValue)];
            return Task.FromResult(copy);
        }
    }

    /// <summary>Searches the bound profile's own messages; never another profile's.</summary>
    public IReadOnlyList<SessionMessage> Search(string query)
    {
        var list = Own(turn.Profile.Key + "-main");
        lock (list)
        {
            return [.. list.Where(m => m.Content.Contains(query, StringComparison.OrdinalIgnoreCase))];
        }
    }

    // A session id names a session of the bound profile only; another profile's id finds nothing.
    private List<SessionMessage> Own(string sessionId) =>
        shelf.Sessions.GetOrAdd(turn.Profile.Key + "/" + sessionId, _ => []);

    /// <summary>Where every profile's sessions live for the life of the process.</summary>
    public sealed class Shelf
    {
        /// <summary>Sessions by profile key and session id.</summary>
        public ConcurrentDictionary<string, List<SessionMessage>> Sessions { get; } = new(StringComparer.Ordinal);
    }
}
