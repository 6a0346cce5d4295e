using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// 13xx: delegations (jobs and sub-agents acting for a person) and the decisions made in their turns.
internal static partial class Log
{
    [LoggerMessage(1300, LogLevel.Information, "{Profile} created delegation {DelegationId} for job {Job} (actions: {Actions}; expires: {ExpiresAt}) in turn {TurnId}.", EventName = "DelegationCreated")]
    public static partial void DelegationCreated(ILogger logger, string profile, string delegationId, string job, string actions, DateTimeOffset? expiresAt, string turnId);

    [LoggerMessage(1301, LogLevel.Information, "{By} revoked delegation {DelegationId} (job {Job}) of {Profile}.", EventName = "DelegationRevoked")]
    public static partial void DelegationRevoked(ILogger logger, string by, string delegationId, string job, string profile);

    [LoggerMessage(1302, LogLevel.Information, "Turn {TurnId} began for job {Job} acting for {Profile} ({Role}) through delegation {DelegationId}.", EventName = "DelegatedTurnBegan")]
    public static partial void DelegatedTurnBegan(ILogger logger, string turnId, string job, string profile, string role, string delegationId);

    [LoggerMessage(1303, LogLevel.Warning, "Delegation {DelegationId} was refused: {Reason}", EventName = "DelegationRefused")]
    public static partial void DelegationRefused(ILogger logger, string delegationId, string reason);

    [LoggerMessage(1304, LogLevel.Error, "The stored record of delegation {DelegationId} cannot be trusted, so it was refused: {Problem}", EventName = "DelegationRecordUntrusted")]
    public static partial void DelegationRecordUntrusted(ILogger logger, string delegationId, string problem);

    [LoggerMessage(1305, LogLevel.Debug, "Allowed {Action} on {Resource} for job {Job} acting for {Profile} ({Role}) through delegation {DelegationId} under revision {Revision}: {Reason}", EventName = "PolicyAllowedForJob")]
    public static partial void PolicyAllowedForJob(ILogger logger, string action, string? resource, string job, string? profile, string? role, string delegationId, string? revision, string reason);

    [LoggerMessage(1306, LogLevel.Information, "Decided {Effect} for {Action} on {Resource} for job {Job} acting for {Profile} ({Role}) through delegation {DelegationId} under revision {Revision}: {Reason}", EventName = "PolicyRefusedForJob")]
    public static partial void PolicyRefusedForJob(ILogger logger, PolicyEffect effect, string action, string? resource, string job, string? profile, string? role, string delegationId, string? revision, string reason);
}
