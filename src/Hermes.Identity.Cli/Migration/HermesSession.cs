namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// One conversation of Hermes's state.db: a session, or a compression chain (a session and the sessions continuing it
/// through parent_session_id) merged into one, with its live messages in time order.
/// </summary>
internal sealed record HermesSession(
    string Id,
    IReadOnlyList<string> ChainIds,
    string Source,
    string? UserId,
    string? ChatId,
    ChatKind ChatKind,
    string? Title,
    DateTimeOffset StartedAt,
    bool Archived,
    IReadOnlyList<HermesMessage> Messages);
