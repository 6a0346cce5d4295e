namespace Hermes.Identity.Sessions;

/// <summary>
/// The sessions and messages of the profile the turn is for. Resolve it from the turn's services
/// (<c>turn.Services</c>): it is bound to that profile and takes no user argument, so code running for one
/// person has no way to name another person's sessions. A session id that belongs to another profile
/// answers <see cref="SessionNotFoundException"/>, exactly like an id that does not exist.
/// </summary>
/// <remarks>
/// Reading and writing one's own sessions is allowed to every role, so these calls do not ask the policy;
/// reaching anyone else's sessions is <see cref="IAllSessionsReader"/>, which does.
/// </remarks>
public interface ISessionStore
{
    /// <summary>
    /// Gets the current session for the turn's conversation (platform, chat kind and chat id), creating it if there
    /// is none. In a group chat each person has their own session, because each profile has its own store.
    /// </summary>
    Task<SessionInfo> OpenCurrentSessionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a fresh session for the turn's conversation; it becomes the current one. Earlier sessions are kept.
    /// </summary>
    /// <param name="title">An optional title.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<SessionInfo> StartNewSessionAsync(string? title = null, CancellationToken cancellationToken = default);

    /// <summary>Gets one session of the bound profile.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Appends <paramref name="messages"/> to a session in one transaction: all of them are stored, or none.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    /// <exception cref="ArgumentException">A message has an unknown role or is too long.</exception>
    Task AppendAsync(string sessionId, IReadOnlyList<SessionMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest <paramref name="limit"/> messages of a session (all when <see langword="null"/>), oldest first.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string sessionId, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Searches the bound profile's messages and session titles, best match first. Whitespace separates terms and every
    /// term must occur, as a substring, case-insensitively for ASCII. Works for text without spaces, such as Chinese.
    /// Archived sessions are searched too.
    /// </summary>
    Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string query, int limit = 20, CancellationToken cancellationToken = default);

    /// <summary>Lists the bound profile's sessions, most recently updated first.</summary>
    Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(bool includeArchived = false, CancellationToken cancellationToken = default);

    /// <summary>Sets or clears a session's title.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    Task<SessionInfo> RenameSessionAsync(string sessionId, string? title, CancellationToken cancellationToken = default);

    /// <summary>Archives a session (hidden from listings and never current again) or brings it back.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    Task<SessionInfo> ArchiveSessionAsync(string sessionId, bool archived = true, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and its messages.</summary>
    /// <exception cref="SessionNotFoundException">The bound profile has no session with this id.</exception>
    Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default);
}
