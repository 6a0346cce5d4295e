using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.Internal;

// The Sqlite package's log lines: 700-719 sessions, 720-739 the state store.
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Information, "Profile {Reader} ({Role}) read the sessions of {Target} ({Operation}) under sessions.read.all in turn {TurnId}.", EventName = "AllSessionsRead")]
    public static partial void AllSessionsRead(ILogger logger, string reader, string role, string target, string operation, string turnId);

    [LoggerMessage(701, LogLevel.Warning, "Profile {Reader} ({Role}) was refused reading the sessions of {Target} ({Operation}) in turn {TurnId}: {Reason}", EventName = "AllSessionsReadDenied")]
    public static partial void AllSessionsReadDenied(ILogger logger, string reader, string role, string target, string operation, string turnId, string reason);

    [LoggerMessage(702, LogLevel.Debug, "Opened session database {Path} ({Open} open).", EventName = "SessionDatabaseOpened")]
    public static partial void DatabaseOpened(ILogger logger, string path, int open);

    [LoggerMessage(703, LogLevel.Debug, "Closed session database {Path}: {Reason}.", EventName = "SessionDatabaseClosed")]
    public static partial void DatabaseClosed(ILogger logger, string path, string reason);

    [LoggerMessage(704, LogLevel.Warning, "The session database {Path} vanished while open (deleted or moved outside Hermes.Identity); closed it and opened the file now at that path.", EventName = "SessionDatabaseVanished")]
    public static partial void DatabaseVanished(ILogger logger, string path);

    [LoggerMessage(705, LogLevel.Information, "Migrated session database {Path} from schema version {From} to {To}.", EventName = "SessionDatabaseMigrated")]
    public static partial void DatabaseMigrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(706, LogLevel.Information, "Erased session database {Path}.", EventName = "SessionDatabaseErased")]
    public static partial void DatabaseErased(ILogger logger, string path);

    [LoggerMessage(707, LogLevel.Warning, "The session database {Path} was replaced while open (another file was renamed over it, as when a backup is restored with mv); closed the old file and opened the one now at that path.", EventName = "SessionDatabaseReplaced")]
    public static partial void DatabaseReplaced(ILogger logger, string path);

    [LoggerMessage(708, LogLevel.Warning, "The session database {Path} was overwritten in place while open (as when a backup is copied over it with cp); closed it without a checkpoint and deleted its -wal and -shm files, which held the old content; the file is used as it is now.", EventName = "SessionDatabaseOverwritten")]
    public static partial void DatabaseOverwritten(ILogger logger, string path);

    [LoggerMessage(709, LogLevel.Debug, "The session database {Path} was written outside this connection (another process's checkpoint, or the -wal and -shm files are in use elsewhere); closed it without a checkpoint and kept its -wal and -shm files.", EventName = "SessionDatabaseChangedElsewhere")]
    public static partial void DatabaseChangedByOthers(ILogger logger, string path);

    [LoggerMessage(710, LogLevel.Error, "The session database {Path} was replaced while open, and another process still uses the old file's -wal and -shm files; the path is not opened again until they are gone. Stop every process that uses this data root.", EventName = "SessionDatabaseStaleFilesInUse")]
    public static partial void StaleFilesInUse(ILogger logger, string path);

    [LoggerMessage(711, LogLevel.Warning, "Could not check or tidy the files of the session database {Path}.", EventName = "SessionDatabaseCheckFailed")]
    public static partial void DatabaseCheckFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(720, LogLevel.Information, "Set up the state database {Path}: schema version {From} to {To}.", EventName = "StateDatabaseMigrated")]
    public static partial void StateDatabaseMigrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(721, LogLevel.Debug, "Deleted {Count} state records that expired before {Cutoff} from {Path}.", EventName = "StateRecordsPurged")]
    public static partial void StateRecordsPurged(ILogger logger, int count, DateTimeOffset cutoff, string path);

    [LoggerMessage(722, LogLevel.Warning, "The state database {Path} was replaced while open (another file was renamed over it, as when a backup is restored with mv); closed this process's connections to the old file and opened the one now at that path.", EventName = "StateDatabaseReplaced")]
    public static partial void StateDatabaseReplaced(ILogger logger, string path);

    [LoggerMessage(723, LogLevel.Warning, "The state database {Path} was deleted or moved while open; closed this process's connections to it and started a new, empty one at that path (pending pairings and approvals were in the old file).", EventName = "StateDatabaseVanished")]
    public static partial void StateDatabaseVanished(ILogger logger, string path);
}
