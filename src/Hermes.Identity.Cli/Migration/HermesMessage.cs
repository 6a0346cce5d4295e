namespace Hermes.Identity.Cli.Migration;

/// <summary>A message row of Hermes's state.db, as read (content may be null; tool calls are the raw JSON).</summary>
internal sealed record HermesMessage(long Id, string Role, string? Content, string? ToolCallsJson, string? ToolCallId, string? ToolName, DateTimeOffset Time);
