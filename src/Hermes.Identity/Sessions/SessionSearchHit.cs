namespace Hermes.Identity.Sessions;

/// <summary>One search result.</summary>
/// <param name="SessionId">The session the match is in.</param>
/// <param name="MessageId">The matching message's id, or <see langword="null"/> when the session's title matched.</param>
/// <param name="Snippet">The matching text around the match, shortened with "…".</param>
/// <param name="Time">When the message was written (or, for a title, when the session was updated).</param>
/// <param name="Role">The matching message's role, or <see langword="null"/> for a title.</param>
/// <param name="SessionTitle">The session's title, or <see langword="null"/>.</param>
public sealed record SessionSearchHit(
    string SessionId,
    long? MessageId,
    string Snippet,
    DateTimeOffset Time,
    string? Role = null,
    string? SessionTitle = null);
