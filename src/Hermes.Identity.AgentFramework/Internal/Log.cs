using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Internal;

// Event ids 1100-1199: the Agent Framework adapter.
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Agent tool call {ToolName} ({ToolCallId}) refused for {Sender}: {Reason}")]
    public static partial void ToolCallRefused(ILogger logger, string toolName, string? toolCallId, SenderEnvelope? sender, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Agent session refused: it belongs to profile {Owner}, and the turn is {Sender}'s")]
    public static partial void SessionRefused(ILogger logger, string owner, SenderEnvelope? sender);
}
