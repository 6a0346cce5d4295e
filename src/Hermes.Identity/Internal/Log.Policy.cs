using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// 4xx: policy decisions and the audit file (approvals: 14xx, Log.Approvals.cs).
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Debug, "Allowed {Action} on {Resource} for {Profile} ({Role}) under revision {Revision}: {Reason}", EventName = "PolicyAllowed")]
    public static partial void PolicyAllowed(ILogger logger, string action, string? resource, string? profile, string? role, string? revision, string reason);

    [LoggerMessage(401, LogLevel.Information, "Decided {Effect} for {Action} on {Resource} for {Profile} ({Role}) under revision {Revision}: {Reason}", EventName = "PolicyRefused")]
    public static partial void PolicyRefused(ILogger logger, PolicyEffect effect, string action, string? resource, string? profile, string? role, string? revision, string reason);

    [LoggerMessage(402, LogLevel.Warning, "A policy backend failed while deciding {Action} for {Profile}, so it was denied: {Error}", EventName = "PolicyBackendFailed")]
    public static partial void PolicyBackendFailed(ILogger logger, string action, string? profile, string error);

    [LoggerMessage(405, LogLevel.Warning, "The audit file {File} ended in a torn record ({Bytes} bytes never acknowledged); it was cut back to the last whole record.", EventName = "AuditTornTailCut")]
    public static partial void AuditTornTailCut(ILogger logger, string file, long bytes);

    [LoggerMessage(406, LogLevel.Critical, "Could not write the decision audit record to {File}: {Error}", EventName = "AuditWriteFailed")]
    public static partial void AuditWriteFailed(ILogger logger, string file, string error);

    [LoggerMessage(407, LogLevel.Critical, "Could not write the decision on {Action} for {Profile} to an audit sink, so the call is refused: {Error}", EventName = "AuditSinkFailed")]
    public static partial void AuditSinkFailed(ILogger logger, string action, string? profile, string error);
}
