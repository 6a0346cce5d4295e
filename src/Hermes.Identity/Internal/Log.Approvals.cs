using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// 14xx: approvals given later and grants limited in time and uses.
internal static partial class Log
{
    [LoggerMessage(1400, LogLevel.Information, "Approval {Id} asked for {Profile}: {Action} ({Resource}), call {ToolCallId}, until {ExpiresAt}.", EventName = "ApprovalRequested")]
    public static partial void ApprovalRequested(ILogger logger, string id, string profile, string action, string? resource, string toolCallId, DateTimeOffset expiresAt);

    [LoggerMessage(1401, LogLevel.Information, "{Approver} {Answer} approval {Id}.", EventName = "ApprovalAnswered")]
    public static partial void ApprovalAnswered(ILogger logger, string approver, string answer, string id);

    [LoggerMessage(1402, LogLevel.Warning, "{Approver} may not answer approval {Id}: {Reason}", EventName = "ApprovalRefused")]
    public static partial void ApprovalAnswerRefused(ILogger logger, string approver, string id, string reason);

    [LoggerMessage(1403, LogLevel.Information, "Approval {Id} used: {Profile}'s call {ToolCallId} runs once.", EventName = "ApprovalUsed")]
    public static partial void ApprovalUsed(ILogger logger, string id, string profile, string toolCallId);

    [LoggerMessage(1404, LogLevel.Error, "An approval notifier ({Notifier}) failed for approval {Id}; the request stands and the decision is unchanged.", EventName = "ApprovalNotifierFailed")]
    public static partial void ApprovalNotifierFailed(ILogger logger, Exception exception, string notifier, string id);

    [LoggerMessage(1405, LogLevel.Information, "{Issuer} granted {Profile} {Pattern} {Uses} times until {ExpiresAt} (grant {Id}).", EventName = "GrantIssued")]
    public static partial void GrantIssued(ILogger logger, string issuer, string profile, string pattern, int uses, DateTimeOffset expiresAt, string id);

    [LoggerMessage(1406, LogLevel.Warning, "{Issuer} may not issue or revoke a grant: {Reason}", EventName = "GrantRefused")]
    public static partial void GrantRefused(ILogger logger, string issuer, string reason);

    [LoggerMessage(1407, LogLevel.Information, "Grant {Id} used by {Profile} for {Action}: {Left} uses left.", EventName = "GrantUsed")]
    public static partial void GrantUsed(ILogger logger, string id, string profile, string action, int left);

    [LoggerMessage(1408, LogLevel.Information, "{Revoker} revoked grant {Id}.", EventName = "GrantRevoked")]
    public static partial void GrantRevoked(ILogger logger, string revoker, string id);
}
