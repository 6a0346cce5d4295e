using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI.Internal;

// Event ids 700-799: the Microsoft.Extensions.AI adapter.
internal static partial class Log
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Tool call {ToolName} ({ToolCallId}) refused for {Sender}: {Reason}")]
    public static partial void ToolCallRefused(ILogger logger, string toolName, string? toolCallId, SenderEnvelope? sender, string reason);

    [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "Tool call {ToolName} ({ToolCallId}) allowed for {Sender}")]
    public static partial void ToolCallAllowed(ILogger logger, string toolName, string? toolCallId, SenderEnvelope? sender);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Approval response {RequestId} refused: {Reason}")]
    public static partial void ApprovalResponseRefused(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = 703, Level = LogLevel.Warning, Message = "A chat request arrived outside a turn; no tools were offered and none will run.")]
    public static partial void RequestOutsideTurn(ILogger logger);

    [LoggerMessage(EventId = 750, Level = LogLevel.Warning, Message = "Ready-made tool {ToolName} failed unexpectedly; the model was told it failed")]
    public static partial void ReadyToolFailed(ILogger logger, string toolName, Exception exception);

    [LoggerMessage(EventId = 751, Level = LogLevel.Warning, Message = "Ready-made tool {ToolName} was invoked outside a turn (no turn services); it refused and did nothing")]
    public static partial void ReadyToolOutsideTurn(ILogger logger, string toolName);
}
