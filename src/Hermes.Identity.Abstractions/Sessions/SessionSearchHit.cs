namespace Hermes.Identity.Sessions;

/// <summary>One search result. Made by session stores.</summary>
public sealed class SessionSearchHit
{
    /// <summary>The session the match is in.</summary>
    public required string SessionId { get; init; }

    /// <summary>The matching message's id, or <see langword="null"/> when the session's title matched.</summary>
    public long? MessageId { get; init; }

    /// <summary>The matching text around the match, shortened with "…".</summary>
    public required string Snippet { get; init; }

    /// <summary>When the message was written (or, for a title, when the session was updated).</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The matching message's role, or <see langword="null"/> for a title.</summary>
    public string? Role { get; init; }

    /// <summary>The session's title, or <see langword="null"/>.</summary>
    public string? SessionTitle { get; init; }
}
