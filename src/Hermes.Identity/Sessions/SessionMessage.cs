namespace Hermes.Identity.Sessions;

// TEMP contract copy: the sessions branch owns this type; the lead drops this file when merging it.

/// <summary>One message of a session.</summary>
/// <param name="Role">user, assistant, system or tool.</param>
/// <param name="Content">The text.</param>
/// <param name="ToolName">The tool's name, for tool calls and results.</param>
/// <param name="ToolCallId">The tool call's id, for tool calls and results.</param>
/// <param name="Time">When it was written.</param>
public sealed record SessionMessage(string Role, string Content, string? ToolName, string? ToolCallId, DateTimeOffset Time);
