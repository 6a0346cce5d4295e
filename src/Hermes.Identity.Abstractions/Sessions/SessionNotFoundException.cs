namespace Hermes.Identity.Sessions;

/// <summary>
/// The bound profile has no session with the id given. The message is the same whether the id does not
/// exist or belongs to another profile, so it tells nobody whose sessions exist.
/// </summary>
public sealed class SessionNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="sessionId"/>.</summary>
    public SessionNotFoundException(string sessionId)
        : base(MessageFor(sessionId))
    {
        SessionId = sessionId;
    }

    /// <summary>The id that was asked for.</summary>
    public string SessionId { get; } = string.Empty;

    private static string MessageFor(string? sessionId) =>
        $"Session '{SenderEnvelope.Printable(sessionId ?? string.Empty)}' was not found. List the sessions with ListSessionsAsync to get a valid id.";
}
