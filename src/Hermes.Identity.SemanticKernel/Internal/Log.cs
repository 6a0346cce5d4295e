using Microsoft.Extensions.Logging;

namespace Hermes.Identity.SemanticKernel.Internal;

// Event ids 1700-1799: the Semantic Kernel adapter.
internal static partial class Log
{
    [LoggerMessage(1700, LogLevel.Information, "Kernel function {ToolName} ({ToolCallId}) refused for {Sender}: {Reason}")]
    public static partial void FunctionRefused(ILogger logger, string toolName, string? toolCallId, SenderEnvelope? sender, string reason);

    [LoggerMessage(1701, LogLevel.Debug, "Kernel function {ToolName} ({ToolCallId}) allowed for {Sender}")]
    public static partial void FunctionAllowed(ILogger logger, string toolName, string? toolCallId, SenderEnvelope? sender);

    [LoggerMessage(1702, LogLevel.Warning, "A chat request reached the kernel outside a turn; no functions were offered and none will run.")]
    public static partial void RequestOutsideTurn(ILogger logger);
}
