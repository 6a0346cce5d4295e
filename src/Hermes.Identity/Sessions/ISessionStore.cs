namespace Hermes.Identity.Sessions;

// TEMP contract copy: the sessions branch owns this type; the lead drops this file when merging it.

/// <summary>The bound profile's sessions and messages.</summary>
public interface ISessionStore
{
    /// <summary>Opens (or creates) the bound profile's current session.</summary>
    Task<SessionInfo> OpenCurrentSessionAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends messages to a session of the bound profile.</summary>
    Task AppendAsync(string sessionId, IReadOnlyList<SessionMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest <paramref name="limit"/> messages of a session of the bound profile, oldest first.</summary>
    Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default);
}
