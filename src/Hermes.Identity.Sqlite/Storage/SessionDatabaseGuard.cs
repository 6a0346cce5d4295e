using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.Storage;

// Watches over the files behind the pool's connections. Checks, before each operation, what happened to the file
// at the path; closes a connection the way the state of its file calls for; and refuses to open a path whose old
// -wal and -shm files another process still uses. An unchanged file is closed as usual
// (SQLite checkpoints and removes the -wal and -shm files when it is the last connection). A file deleted,
// moved or renamed over: the old log is checkpointed into the old file (still open, no longer at the path),
// then the old -wal and -shm at the path are removed unless another process uses them. A file overwritten in
// place: closed without a checkpoint (which would write the old content's pages into the restored file), then
// the files decide whether it really was overwritten, and if so the old -wal and -shm are removed.
internal sealed class SessionDatabaseGuard(SqliteSessionOptions options, ILogger logger)
{
    // sqlite3_db_config option: do not checkpoint when the connection closes.
    private const int NoCheckpointOnClose = 1006;

    // Paths whose database was replaced while another process still used the old file's -wal and -shm: they are
    // not opened until those are gone (their pages would be applied to the new file).
    private readonly Dictionary<string, (FileState? Wal, FileState? Shm)> _stale = new(StringComparer.Ordinal);

    // What happened to the file at path since watch started (Linux), or whether it still exists (elsewhere). When
    // the files cannot be examined (a folder made unreadable), Unchanged: the operation then fails on its own.
    public FileChange Check(string path, DatabaseWatch? watch)
    {
        if (OperatingSystem.IsLinux() && watch is not null)
        {
            try
            {
                return watch.Check();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.DatabaseCheckFailed(logger, path, ex);
                return FileChange.Unchanged;
            }
        }

        return File.Exists(path) ? FileChange.Unchanged : FileChange.Vanished;
    }

    // Opens the database at path, with a watch on its files on Linux. Refuses (SessionStoreException) while the old
    // -wal and -shm of a replaced file at that path are still in use by another process.
    public (SqliteConnection Connection, DatabaseWatch? Watch) Open(string path, bool create)
    {
        if (!OperatingSystem.IsLinux())
        {
            return (SessionDatabaseOpener.Open(path, create, options, logger), null);
        }

        ThrowIfStale(path);
        for (var attempt = 0; ; attempt++)
        {
            var before = FileState.Of(path);
            var connection = SessionDatabaseOpener.Open(path, create, options, logger);
            if (DatabaseWatch.Start(path, before, connection) is { } watch)
            {
                return (connection, watch);
            }

            // Replaced while it was being opened: which file the connection has is unknown.
            Dispose(connection);
            if (attempt == 2)
            {
                throw new SessionStoreException(
                    $"The session database of profile '{SessionStoreErrors.ProfileOf(path)}' ({path}) was replaced each time it was opened. " +
                    "Nothing was read or written. Stop whatever keeps replacing it, then try again.");
            }
        }
    }

    // Closes connection. change is what Check said, or null to ask it now. reopening: the caller opens the path
    // again right away (so there is no need to let SQLite tidy up the -wal and -shm files first).
    public void Close(string path, SqliteConnection connection, DatabaseWatch? watch, FileChange? change, string reason, bool reopening)
    {
        change ??= Check(path, watch);
        switch (change)
        {
            case FileChange.Vanished or FileChange.Replaced:
                if (change == FileChange.Vanished)
                {
                    Log.DatabaseVanished(logger, path);
                }
                else
                {
                    Log.DatabaseReplaced(logger, path);
                }

                // The old file's log goes into the old file, which the connection still has open and which is not at
                // the path any more (SQLite skips this on close for a moved file): someone who moved it aside keeps a
                // complete copy, and nothing is written at the path.
                TryCheckpoint(connection, path);
                Dispose(connection);
                if (OperatingSystem.IsLinux() && watch is not null && !TryRemoveStale(path, watch))
                {
                    lock (_stale)
                    {
                        _stale[path] = (watch.Wal, watch.Shm);
                    }

                    Log.StaleFilesInUse(logger, path);
                }

                break;

            case FileChange.Overwritten:
                SQLitePCL.raw.sqlite3_db_config(connection.Handle, NoCheckpointOnClose, 1, out _);
                Dispose(connection);
                DiscardIfOverwritten(path, watch, reopening);
                break;

            default:
                Dispose(connection);
                break;
        }

        Log.DatabaseClosed(logger, path, reason);
    }

    private void ThrowIfStale(string path)
    {
        (FileState? Wal, FileState? Shm) stale;
        lock (_stale)
        {
            if (!_stale.TryGetValue(path, out stale))
            {
                return;
            }
        }

        if (OperatingSystem.IsLinux() && !WalSidecars.TryRemoveStale(path, stale.Wal, stale.Shm))
        {
            throw new SessionStoreException(
                $"The session database of profile '{SessionStoreErrors.ProfileOf(path)}' ({path}) was replaced while open, and another process still uses " +
                "the old file's state.db-wal and state.db-shm, which would be applied to the new file. Nothing was read or written. " +
                "Stop every process that uses this data root (other hosts, a sqlite3 shell), then try again; see docs/sessions.md on restoring a backup.");
        }

        lock (_stale)
        {
            _stale.Remove(path);
        }
    }

    private void TryCheckpoint(SqliteConnection connection, string path)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            Log.DatabaseCheckFailed(logger, path, ex);
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private bool TryRemoveStale(string path, DatabaseWatch watch)
    {
        try
        {
            return WalSidecars.TryRemoveStale(path, watch.Wal, watch.Shm);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DatabaseCheckFailed(logger, path, ex);
            return false;
        }
    }

    private void DiscardIfOverwritten(string path, DatabaseWatch? watch, bool reopening)
    {
        if (!OperatingSystem.IsLinux() || watch is null)
        {
            return;
        }

        WalSidecars.Outcome outcome;
        try
        {
            outcome = WalSidecars.DiscardIfOverwritten(path, watch.Wal, watch.Shm);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DatabaseCheckFailed(logger, path, ex);
            return;
        }

        switch (outcome)
        {
            case WalSidecars.Outcome.Discarded:
                Log.DatabaseOverwritten(logger, path);
                break;
            case WalSidecars.Outcome.Consistent when !reopening:
                // A checkpoint wrote it (ours, or another process's that has finished): let SQLite tidy up as usual,
                // checkpointing and removing the -wal and -shm files, as the skipped close would have.
                try
                {
                    Dispose(SessionDatabaseOpener.Open(path, create: false, options, logger));
                }
                catch (IOException ex)
                {
                    Log.DatabaseCheckFailed(logger, path, ex);
                }

                break;
            case WalSidecars.Outcome.InUse or WalSidecars.Outcome.Kept:
                Log.DatabaseChangedByOthers(logger, path);
                break;
        }
    }

    private static void Dispose(SqliteConnection connection)
    {
        // Our connections are not pooled by Microsoft.Data.Sqlite, but clear its pool anyway so that no
        // handle to this file survives anywhere in the process.
        SqliteConnection.ClearPool(connection);
        connection.Dispose();
    }
}
