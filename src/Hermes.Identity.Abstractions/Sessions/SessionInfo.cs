namespace Hermes.Identity.Sessions;

/// <summary>One session of a profile. Made by session stores; read by hosts and tools.</summary>
public sealed class SessionInfo
{
    /// <summary>The session's id: opaque, unique.</summary>
    public required string Id { get; init; }

    /// <summary>The conversation the session belongs to: <c>platform:kind:chat</c>, such as <c>telegram:group:-1001</c>.</summary>
    public required string Key { get; init; }

    /// <summary>The platform's id for the conversation, or <see langword="null"/>.</summary>
    public string? ChatId { get; init; }

    /// <summary>The kind of conversation.</summary>
    public ChatKind ChatKind { get; init; }

    /// <summary>The title, or <see langword="null"/>.</summary>
    public string? Title { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When a message was last appended, or the session last changed.</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>Whether the session is archived.</summary>
    public bool Archived { get; init; }
}
