using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Mcp.Internal;

// Event ids 900-999: the MCP server adapter.
internal static partial class Log
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "MCP tool call {ToolName} refused for {Sender}: {Reason}")]
    public static partial void ToolCallRefused(ILogger logger, string toolName, SenderEnvelope? sender, string reason);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "MCP {Method} request from a caller that maps to nobody: no tool listed, none run")]
    public static partial void CallerUnknown(ILogger logger, string method);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "The MCP caller mapping threw; the caller maps to nobody")]
    public static partial void CallerMappingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 903, Level = LogLevel.Information, Message = "MCP {Method} request from {Sender} not admitted: {Reason}")]
    public static partial void CallerRejected(ILogger logger, string method, SenderEnvelope sender, string reason);

    [LoggerMessage(EventId = 904, Level = LogLevel.Debug, Message = "MCP tool call {ToolName} allowed for {Sender}")]
    public static partial void ToolCallAllowed(ILogger logger, string toolName, SenderEnvelope? sender);

    [LoggerMessage(EventId = 905, Level = LogLevel.Information, Message = "MCP {Kind} {Name} refused for {Sender}: {Reason}")]
    public static partial void PrimitiveRefused(ILogger logger, string kind, string name, SenderEnvelope? sender, string reason);

    [LoggerMessage(EventId = 906, Level = LogLevel.Debug, Message = "MCP {Kind} {Name} allowed for {Sender}")]
    public static partial void PrimitiveAllowed(ILogger logger, string kind, string name, SenderEnvelope? sender);
}
