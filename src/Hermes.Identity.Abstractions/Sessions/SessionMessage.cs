namespace Hermes.Identity.Sessions;

/// <summary>One message of a session.</summary>
public sealed class SessionMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="role">Who wrote it: one of <see cref="SessionRoles"/> (<c>user</c>, <c>assistant</c>, <c>tool</c>, <c>system</c>).</param>
    /// <param name="content">The text.</param>
    public SessionMessage(string role, string content)
    {
        Role = role;
        Content = content;
    }

    /// <summary>Who wrote it: one of <see cref="SessionRoles"/>.</summary>
    public string Role { get; }

    /// <summary>The text.</summary>
    public string Content { get; }

    /// <summary>The tool's name, for tool calls and results.</summary>
    public string? ToolName { get; init; }

    /// <summary>The tool call's id, for tool calls and results.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>When it was written. Left at its default, the store uses the time of the append.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The message's id within its profile, set by the store on messages it returns; <see langword="null"/> before it is stored.</summary>
    public long? Id { get; init; }
}
