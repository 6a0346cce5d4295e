using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// Every log line of the library, with named event ids: 1xx config, 2xx resolution, 3xx turns, 4xx policy.
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Loaded identities from {File}: revision {Revision}, {ProfileCount} profiles, {RoleCount} roles, unknown senders: {UnknownSenders}.", EventName = "IdentitiesLoaded")]
    public static partial void IdentitiesLoaded(ILogger logger, string file, string revision, int profileCount, int roleCount, UnknownSenderPolicy unknownSenders);

    [LoggerMessage(101, LogLevel.Error, "The identities file is invalid; the last good revision {Revision} stays in force. {Error}", EventName = "IdentitiesReloadFailed")]
    public static partial void IdentitiesReloadFailed(ILogger logger, string revision, string error);

    [LoggerMessage(102, LogLevel.Critical, "The identities file is invalid at start-up and every sender will be refused until it is fixed. {Error}", EventName = "IdentitiesInvalidDenyingEveryone")]
    public static partial void IdentitiesInvalidDenyingEveryone(ILogger logger, string error);

    [LoggerMessage(103, LogLevel.Information, "Identities reloaded: revision {OldRevision} → {NewRevision}.", EventName = "IdentitiesReloaded")]
    public static partial void IdentitiesReloaded(ILogger logger, string oldRevision, string newRevision);

    [LoggerMessage(104, LogLevel.Warning, "Cannot watch {Directory} for changes to the identities file; edits will not be picked up until restart. {Reason}", EventName = "IdentitiesNotWatched")]
    public static partial void IdentitiesNotWatched(ILogger logger, string directory, string reason);

    [LoggerMessage(105, LogLevel.Warning, "The identities file {File} is gone (deleted, or a link to nothing); the last good revision {Revision} stays in force until it is back. To change the file, write a temporary file and rename it over instead.", EventName = "IdentitiesFileMissing")]
    public static partial void IdentitiesFileMissing(ILogger logger, string file, string revision);

    [LoggerMessage(106, LogLevel.Debug, "Watching the identities file {File} (it leads to {Target}) in {Folders}.", EventName = "IdentitiesWatching")]
    public static partial void IdentitiesWatching(ILogger logger, string file, string target, string folders);

    [LoggerMessage(107, LogLevel.Error, "A callback of the identities reload token threw; the new snapshot is in force regardless.", EventName = "IdentitiesReloadCallbackFailed")]
    public static partial void IdentitiesReloadCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(200, LogLevel.Debug, "Resolved {Principal} to profile {Profile} ({Role}) under revision {Revision}.", EventName = "SenderResolved")]
    public static partial void SenderResolved(ILogger logger, PlatformPrincipal principal, string profile, string role, string revision);

    [LoggerMessage(201, LogLevel.Information, "Admitted unknown sender {Principal} as guest profile {Profile}.", EventName = "GuestAdmitted")]
    public static partial void GuestAdmitted(ILogger logger, PlatformPrincipal principal, string profile);

    [LoggerMessage(202, LogLevel.Information, "Refused sender {Principal}: {Reason}", EventName = "SenderRejected")]
    public static partial void SenderRejected(ILogger logger, PlatformPrincipal principal, string reason);

    [LoggerMessage(300, LogLevel.Debug, "Turn {TurnId} began for profile {Profile} ({Role}) from {Principal}.", EventName = "TurnBegan")]
    public static partial void TurnBegan(ILogger logger, string turnId, string profile, string role, PlatformPrincipal principal);

    [LoggerMessage(301, LogLevel.Debug, "Turn {TurnId} ended.", EventName = "TurnEnded")]
    public static partial void TurnEnded(ILogger logger, string turnId);
}
