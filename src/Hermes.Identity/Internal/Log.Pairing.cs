using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// Pairing and linking: 11xx. Codes are never logged (a pending code is a credential until used).
internal static partial class Log
{
    [LoggerMessage(1100, LogLevel.Information, "Issued a pairing code to {Principal}, expiring at {ExpiresAt:u}; {Pending} pending on {Platform}.", EventName = "PairingCodeIssued")]
    public static partial void PairingCodeIssued(ILogger logger, PlatformPrincipal principal, DateTimeOffset expiresAt, int pending, string platform);

    [LoggerMessage(1101, LogLevel.Information, "Refused a pairing code to {Principal}: {Reason}.", EventName = "PairingRequestRefused")]
    public static partial void PairingRequestRefused(ILogger logger, PlatformPrincipal principal, string reason);

    [LoggerMessage(1102, LogLevel.Information, "{Approver} approved the pairing of {Account} as profile {Profile} ({Role}).", EventName = "PairingApproved")]
    public static partial void PairingApproved(ILogger logger, string approver, string account, string profile, string role);

    [LoggerMessage(1103, LogLevel.Information, "{Approver} denied the pairing request of {Account}.", EventName = "PairingDenied")]
    public static partial void PairingDenied(ILogger logger, string approver, string account);

    [LoggerMessage(1104, LogLevel.Warning, "Refused {Operation} on {Platform} by {Actor}: {Reason} ({Message})", EventName = "PairingRefused")]
    public static partial void PairingRefused(ILogger logger, string operation, string platform, string actor, PairingRefusal reason, string message);

    [LoggerMessage(1112, LogLevel.Warning, "Refused {Operation} on {Platform} to {Actor}: {Message}", EventName = "PairingAccessDenied")]
    public static partial void PairingAccessDenied(ILogger logger, string operation, string platform, string actor, string message);

    [LoggerMessage(1105, LogLevel.Warning, "{Failures} failed {What} attempts on {Platform}: {What} there is locked until {Until:u}.", EventName = "PairingLocked")]
    public static partial void PairingLocked(ILogger logger, int failures, string what, string platform, DateTimeOffset until);

    [LoggerMessage(1106, LogLevel.Information, "{Actor} revoked {Count} paired account(s) of {Target}.", EventName = "PairingRevoked")]
    public static partial void PairingRevoked(ILogger logger, string actor, int count, string target);

    [LoggerMessage(1107, LogLevel.Information, "Profile {Profile} asked for a link code from {Principal}, expiring at {ExpiresAt:u}.", EventName = "LinkCodeCreated")]
    public static partial void LinkCodeCreated(ILogger logger, string profile, PlatformPrincipal principal, DateTimeOffset expiresAt);

    [LoggerMessage(1108, LogLevel.Information, "Linked {Principal} to profile {Profile}.", EventName = "AccountLinked")]
    public static partial void AccountLinked(ILogger logger, PlatformPrincipal principal, string profile);

    [LoggerMessage(1109, LogLevel.Warning, "identities.yaml wins over a paired entry under revision {Revision}: {Conflict}", EventName = "PairedEntryOverridden")]
    public static partial void PairedEntryOverridden(ILogger logger, string revision, string conflict);

    [LoggerMessage(1110, LogLevel.Warning, "Could not read the paired accounts from the state store; the snapshot in force ({Revision}) stays until the next try.", EventName = "PairedAccountsRefreshFailed")]
    public static partial void PairedAccountsRefreshFailed(ILogger logger, string revision, Exception exception);

    [LoggerMessage(1111, LogLevel.Information, "Paired accounts changed: revision {OldRevision} → {NewRevision}, {PairedPeople} paired or linked profile(s).", EventName = "PairedAccountsChanged")]
    public static partial void PairedAccountsChanged(ILogger logger, string oldRevision, string newRevision, int pairedPeople);
}
