using Microsoft.Extensions.Logging;

namespace Hermes.Identity.PostgreSql.Internal;

// The PostgreSql package's log lines: 800-819 the database and the change listener, 820-839 sessions, 840-859 the state store and memory.
internal static partial class Log
{
    [LoggerMessage(800, LogLevel.Information, "Migrated PostgreSQL {Target} from schema version {From} to {To}.", EventName = "PostgreSqlMigrated")]
    public static partial void Migrated(ILogger logger, string target, long from, int to);

    [LoggerMessage(801, LogLevel.Warning, "PostgreSQL {Target} could not be reached for {What} (try {Attempt}); trying again in {Delay}: {Reason}", EventName = "PostgreSqlRetrying")]
    public static partial void Retrying(ILogger logger, string what, string target, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(802, LogLevel.Error, "PostgreSQL {Target} could not be reached for {What} after {Attempts} tries; the operation failed: {Reason}", EventName = "PostgreSqlGaveUp")]
    public static partial void GaveUp(ILogger logger, string what, string target, int attempts, string reason);

    [LoggerMessage(803, LogLevel.Information, "Listening for changes made by other replicas on PostgreSQL {Target}, channel {Channel}.", EventName = "PostgreSqlListening")]
    public static partial void Listening(ILogger logger, string target, string channel);

    [LoggerMessage(804, LogLevel.Warning, "The connection listening for other replicas' changes on PostgreSQL {Target} (channel {Channel}) was lost; connecting again in {Delay} (changes are still seen within the refresh interval meanwhile): {Reason}", EventName = "PostgreSqlListenerLost")]
    public static partial void ListenerLost(ILogger logger, string target, string channel, TimeSpan delay, string reason);

    [LoggerMessage(805, LogLevel.Information, "Listening again on PostgreSQL {Target}, channel {Channel}, after {Failures} failed tries; reading what changed meanwhile.", EventName = "PostgreSqlListeningAgain")]
    public static partial void ListeningAgain(ILogger logger, string target, string channel, int failures);

    [LoggerMessage(806, LogLevel.Error, "A callback of a PostgreSQL change token threw; the change is still read at the next refresh.", EventName = "PostgreSqlChangeCallbackFailed")]
    public static partial void ChangeCallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(820, LogLevel.Information, "Profile {Reader} ({Role}) read the sessions of {Target} ({Operation}) under sessions.read.all in turn {TurnId}.", EventName = "AllSessionsRead")]
    public static partial void AllSessionsRead(ILogger logger, string reader, string role, string target, string operation, string turnId);

    [LoggerMessage(821, LogLevel.Warning, "Profile {Reader} ({Role}) was refused reading the sessions of {Target} ({Operation}) in turn {TurnId}: {Reason}", EventName = "AllSessionsReadDenied")]
    public static partial void AllSessionsReadDenied(ILogger logger, string reader, string role, string target, string operation, string turnId, string reason);

    [LoggerMessage(822, LogLevel.Information, "Erased the sessions of profile {Profile} from PostgreSQL ({Sessions} sessions).", EventName = "SessionsErased")]
    public static partial void SessionsErased(ILogger logger, string profile, int sessions);

    [LoggerMessage(840, LogLevel.Debug, "Deleted {Count} state records that expired before {Cutoff} from PostgreSQL {Target}.", EventName = "StateRecordsPurged")]
    public static partial void StateRecordsPurged(ILogger logger, int count, DateTimeOffset cutoff, string target);

    [LoggerMessage(841, LogLevel.Debug, "Memory document {File} of {Profile} changed by another writer meanwhile; editing it again (try {Attempt}).", EventName = "MemoryEditRetried")]
    public static partial void MemoryEditRetried(ILogger logger, string file, string profile, int attempt);
}
