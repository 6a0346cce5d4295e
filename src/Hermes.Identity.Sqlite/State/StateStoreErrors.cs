using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using static Hermes.Identity.Sqlite.Storage.SqliteFaultCodes;

namespace Hermes.Identity.Sqlite.State;

// Turns the storage errors of the state database into StateStoreException: what failed, on which file, what became
// of the change and what to check. Other exceptions (argument errors, cancellation, SQLite errors that would mean a
// bug here) are left as they are.
internal static class StateStoreErrors
{
    private const string LostState = "pending pairings, link codes and approval requests are then lost, and budgets start again from zero";

    public static StateStoreException? Translate(Exception error, string path) => error switch
    {
        StateStoreException => null,
        SqliteException sqlite => Translate(sqlite, path),
        UnauthorizedAccessException => new StateStoreException(
            $"The state database {path} cannot be created or opened: the host's user may not write its folder ({error.Message}). Nothing was changed. " +
            $"Give the host's user write access to {Path.GetDirectoryName(path)} (and the data root above it).", error),
        IOException io when io.HResult is ENoSpc or EDQuot => new StateStoreException(
            $"The state database {path} cannot be created: the disk has no space left ({io.Message}). Nothing was changed. Free space on that disk; the store works again once space is freed.", error),
        IOException io when io.HResult == ERoFs => new StateStoreException(
            $"The state database {path} cannot be created: the file system it is on is mounted read-only ({io.Message}). Nothing was changed. " +
            "Put the data root on a writable disk or remount it read-write; the store works again as soon as it can write.", error),
        IOException io => new StateStoreException(
            $"The state database {path} cannot be created or opened: {io.Message} Nothing was changed. " +
            $"Check that the data root is on a writable local disk with space left and that {Path.GetDirectoryName(path)} is a folder, not a file.", error),
        _ => null,
    };

    private static StateStoreException? Translate(SqliteException error, string path)
    {
        var code = error.SqliteErrorCode;
        var errno = code is SqliteReadOnly or SqliteCantOpen or SqliteIoErr or SqlitePerm ? ProbeFolder(Path.GetDirectoryName(path)) : 0;
        var what = error.Message.TrimEnd('.');
        if (code == SqliteFull || errno is ENoSpc or EDQuot)
        {
            return new StateStoreException(
                $"The state database {path} is full: the disk has no space left{(errno == EDQuot ? " (the disk quota is used up)" : string.Empty)}, so this change was not stored. " +
                "Free space on that disk; earlier changes are intact and the store works again once space is freed.", error);
        }

        if (code is SqliteReadOnly or SqlitePerm || errno is ERoFs or EAcces)
        {
            var why = errno switch
            {
                ERoFs => "the file system it is on is mounted read-only",
                EAcces => "the host's user is not allowed to write it or its folder",
                _ => "SQLite could open it only for reading (the file, or its folder, is read-only for the host's user)",
            };
            return new StateStoreException(
                $"The state database {path} cannot be written: {why} ({what}). Nothing was changed; earlier changes are intact. " +
                $"Make {Path.GetDirectoryName(path)} and the files in it (identity.db, identity.db-wal, identity.db-shm) readable and writable by the host's user, " +
                "or remount the disk read-write; the store works again as soon as it can write.", error);
        }

        return code switch
        {
            SqliteNotADb or SqliteCorrupt => new StateStoreException(
                $"The state database {path} is not a SQLite database or is damaged ({what}). Nothing was changed in it. " +
                "Stop the host and restore the file from a backup, or delete it (with its -wal and -shm files) to start with empty state; " +
                LostState + ".", error),
            SqliteCantOpen => new StateStoreException(
                $"The state database {path} cannot be opened ({what}). Nothing was changed. " +
                $"Check that it is a file, not a folder, and that the host's user may read and write it and {Path.GetDirectoryName(path)}.", error),
            SqliteBusy or SqliteLocked => new StateStoreException(
                $"The state database {path} was locked by another connection for longer than the busy timeout (SqliteStateOptions.BusyTimeout), so this change was not stored. " +
                "Find what holds it (an open sqlite3 shell, a backup that locks the file, another host on the same data root that is stuck) or raise the timeout, and try again.", error),
            SqliteIoErr => new StateStoreException(
                $"The state database {path} could not be read or written: a disk I/O error ({what}). This change was not stored; earlier changes are intact. " +
                "Check the disk (the system log says more) and that the data root is on a local file system, then try again.", error),
            _ => null,
        };
    }
}
