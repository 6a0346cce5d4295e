namespace Hermes.Identity.Sessions;

/// <summary>
/// Reads the sessions of any profile: the owner's "sees all". Every call asks the policy for
/// <see cref="PolicyActions.SessionsReadAll"/> first (resource: the profile key read) and is logged; a
/// denied call throws <see cref="AccessDeniedException"/> and reads nothing. Resolve it from the
/// turn's services: the decision is made for the turn's profile.
/// </summary>
public interface IAllSessionsReader
{
    /// <summary>The keys of the profiles that have a session database, in ordinal order.</summary>
    /// <exception cref="AccessDeniedException">The policy does not allow the turn's profile to read every session.</exception>
    Task<IReadOnlyList<string>> ListProfilesAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists the sessions of <paramref name="profileKey"/>, most recently updated first.</summary>
    /// <exception cref="AccessDeniedException">The policy does not allow the turn's profile to read every session.</exception>
    Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string profileKey, bool includeArchived = false, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest <paramref name="limit"/> messages (all when <see langword="null"/>) of a session of <paramref name="profileKey"/>, oldest first.</summary>
    /// <exception cref="AccessDeniedException">The policy does not allow the turn's profile to read every session.</exception>
    /// <exception cref="SessionNotFoundException">That profile has no session with this id.</exception>
    Task<IReadOnlyList<SessionMessage>> GetMessagesAsync(string profileKey, string sessionId, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Searches the messages and session titles of <paramref name="profileKey"/>, as <see cref="ISessionStore.SearchAsync"/> does.</summary>
    /// <exception cref="AccessDeniedException">The policy does not allow the turn's profile to read every session.</exception>
    Task<IReadOnlyList<SessionSearchHit>> SearchAsync(string profileKey, string query, int limit = 20, CancellationToken cancellationToken = default);
}
