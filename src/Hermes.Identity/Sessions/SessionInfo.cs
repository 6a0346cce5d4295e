namespace Hermes.Identity.Sessions;

/// <summary>One session of a profile.</summary>
/// <param name="Id">The session's id: opaque, unique.</param>
/// <param name="Key">The conversation the session belongs to: <c>platform:kind:chat</c>, such as <c>telegram:group:-1001</c>.</param>
/// <param name="Platform">The platform the conversation is on.</param>
/// <param name="ChatId">The platform's id for the conversation, or <see langword="null"/>.</param>
/// <param name="ChatKind">The kind of conversation.</param>
/// <param name="Title">The title, or <see langword="null"/>.</param>
/// <param name="Created">When the session was created.</param>
/// <param name="Updated">When a message was last appended, or the session last changed.</param>
/// <param name="Archived">Whether the session is archived.</param>
public sealed record SessionInfo(
    string Id,
    string Key,
    string Platform,
    string? ChatId,
    ChatKind ChatKind,
    string? Title,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    bool Archived);
