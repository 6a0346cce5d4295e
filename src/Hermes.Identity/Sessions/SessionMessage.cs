namespace Hermes.Identity.Sessions;

/// <summary>One message of a session.</summary>
/// <param name="Role">Who wrote it: one of <see cref="SessionRoles"/> (<c>user</c>, <c>assistant</c>, <c>tool</c>, <c>system</c>).</param>
/// <param name="Content">The text.</param>
/// <param name="ToolName">The tool's name, for tool calls and results.</param>
/// <param name="ToolCallId">The tool call's id, for tool calls and results.</param>
/// <param name="Time">When it was written. Left at its default, the store uses the time of the append.</param>
public sealed record SessionMessage(string Role, string Content, string? ToolName = null, string? ToolCallId = null, DateTimeOffset Time = default)
{
    /// <summary>The message's id within its profile, set on messages read from a store; <see langword="null"/> before it is stored.</summary>
    public long? Id { get; init; }
}
