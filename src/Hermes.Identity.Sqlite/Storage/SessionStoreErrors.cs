using System.Runtime.InteropServices;
using Hermes.Identity.Sessions;
using Microsoft.Data.Sqlite;
using static Hermes.Identity.Sqlite.Storage.SqliteFaultCodes;

namespace Hermes.Identity.Sqlite.Storage;

// Turns the storage errors of a profile's database into SessionStoreException: what happened, to which
// profile's file, what became of the data and what to do. Everything else (SessionNotFoundException, argument
// errors, cancellation, SQLite errors that mean a bug here) is left as it is.
internal static partial class SessionStoreErrors
{
    // The profile a database path belongs to, for messages where only the path is known: the folder it is in,
    // agents/<profile key>/state.db.
    public static string ProfileOf(string databasePath) => Path.GetFileName(Path.GetDirectoryName(databasePath)) ?? databasePath;

    // The SessionStoreException for a SQLite error, or null when it is not a storage error (a bug here). connection,
    // when still open, tells the operating system's error behind SQLite's (read-only file system, permission denied).
    public static SessionStoreException? Translate(SqliteException error, string profileKey, string databasePath, SqliteConnection? connection = null) =>
        Translate(error, Subject(profileKey, databasePath), Path.GetDirectoryName(databasePath), SystemErrno(connection));

    // The SessionStoreException for a failure to create the database's folder, or null for another exception.
    public static SessionStoreException? TranslateFolderError(Exception error, string profileKey, string databasePath)
    {
        var subject = Subject(profileKey, databasePath);
        return error switch
        {
            UnauthorizedAccessException => new SessionStoreException(
                $"{subject} cannot be created: the host's user may not create its folder ({error.Message}). Nothing was written. " +
                $"Give the host's user write access to {Path.GetDirectoryName(Path.GetDirectoryName(databasePath))}.", error),
            IOException => new SessionStoreException(
                $"{subject} cannot be created: its folder could not be made ({error.Message}). Nothing was written. " +
                "Check that the data root is on a writable disk with space left and that no file stands where the folder should be.", error),
            _ => null,
        };
    }

    private static string Subject(string profileKey, string databasePath) => $"The session database of profile '{profileKey}' ({databasePath})";

    private static SessionStoreException? Translate(SqliteException error, string subject, string? folder, int errno)
    {
        var code = error.SqliteErrorCode;
        if (code is SqliteReadOnly or SqliteCantOpen or SqliteIoErr or SqlitePerm && errno is not (ERoFs or EAcces or EPerm or ENoSpc or EDQuot))
        {
            // SQLite's last errno is often that of its fallback (opening read-only, a missing -wal): ask the folder.
            errno = ProbeFolder(folder);
        }

        if (code == SqliteFull || errno is ENoSpc or EDQuot)
        {
            return new SessionStoreException(
                $"{subject} is full: the disk has no space left{(errno == EDQuot ? " (the disk quota is used up)" : string.Empty)}, so this change was not stored. " +
                "Free space; earlier writes are intact and the store works again once space is freed.", error);
        }

        if (code == SqliteReadOnly || errno is ERoFs or EAcces or EPerm || code == SqlitePerm)
        {
            var why = errno switch
            {
                ERoFs => "the file system it is on is mounted read-only",
                EAcces or EPerm => "the host's user is not allowed to write it or its folder",
                _ => "SQLite could open it only for reading (the file, or its folder, is read-only for the host's user)",
            };
            return new SessionStoreException(
                $"{subject} cannot be written: {why}. Nothing was written; earlier writes are intact. " +
                $"Make {folder} and the files in it (state.db, state.db-wal, state.db-shm) writable by the host's user, or remount the disk read-write; " +
                "the store works again as soon as it can write.", error);
        }

        return code switch
        {
            SqliteNotADb or SqliteCorrupt => new SessionStoreException(
                $"{subject} is not a SQLite database or is damaged ({error.Message.TrimEnd('.')}). Nothing was changed in it. " +
                "Restore it from a backup (see docs/sessions.md: with the host stopped, or with sqlite3's .restore), " +
                "or move it and its -wal and -shm files away to start this profile's sessions afresh.", error),
            SqliteCantOpen => new SessionStoreException(
                $"{subject} cannot be opened ({error.Message.TrimEnd('.')}). Nothing was written. " +
                $"Check that it is a file, not a folder, and that the host's user may read and write it and {folder}.", error),
            SqliteBusy or SqliteLocked => new SessionStoreException(
                $"{subject} is locked by another connection for longer than the busy timeout (SqliteSessionOptions.BusyTimeout). Nothing was written. " +
                "Find what holds it (a long export, an open sqlite3 shell, another host) or raise the timeout, and try again.", error),
            SqliteIoErr => new SessionStoreException(
                $"{subject} could not be read or written: a disk I/O error ({error.Message.TrimEnd('.')}). This change was not stored; earlier writes are intact. " +
                "Check the disk (the system log says more), then try again.", error),
            _ => null,
        };
    }


    // The errno of the last failed system call SQLite made on this connection, or 0 when unknown.
    private static int SystemErrno(SqliteConnection? connection)
    {
        if (connection?.Handle is not { IsInvalid: false } handle)
        {
            return 0;
        }

        try
        {
            return NativeErrno(handle.DangerousGetHandle());
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another SQLite build than the bundled e_sqlite3: the messages just say less about the cause.
            return 0;
        }
    }

    [LibraryImport("e_sqlite3", EntryPoint = "sqlite3_system_errno")]
    private static partial int NativeErrno(nint db);
}
