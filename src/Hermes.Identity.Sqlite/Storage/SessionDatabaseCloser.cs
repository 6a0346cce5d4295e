using Hermes.Identity.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sqlite.Storage;

// Closes a profile database's connection the way the state of its file calls for. An unchanged file: as usual
// (SQLite checkpoints and removes the -wal and -shm files when it is the last connection). A file deleted,
// moved or renamed over: the old log is checkpointed into the old file (still open, no longer at the path),
// then the old -wal and -shm at the path are removed unless another process uses them. A file overwritten in
// place: closed without a checkpoint (which would write the old content's pages into the restored file), then
// the files decide whether it really was overwritten, and if so the old -wal and -shm are removed.
internal sealed class SessionDatabaseCloser(SqliteSessionOptions options, ILogger logger)
{
    // sqlite3_db_config option: do not checkpoint when the connection closes.
    private const int NoCheckpointOnClose = 1006;

    // What happened to the file at path since watch started (Linux), or whether it still exists (elsewhere).
    public static FileChange Check(string path, DatabaseWatch? watch)
    {
        if (OperatingSystem.IsLinux() && watch is not null)
        {
            return watch.Check();
        }

        return File.Exists(path) ? FileChange.Unchanged : FileChange.Vanished;
    }

    // Closes connection. change is what Check said, or null to ask it now. Returns false when the file was
    // replaced and another process still uses the old -wal and -shm: the path must not be opened until they are gone.
    public bool Close(string path, SqliteConnection connection, DatabaseWatch? watch, FileChange? change, string reason, bool reopening)
    {
        if (change is null)
        {
            try
            {
                change = Check(path, watch);
            }
            catch (IOException ex)
            {
                Log.DatabaseCheckFailed(logger, path, ex);
                change = FileChange.Unchanged;
            }
        }

        var unused = true;
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
                unused = TryRemoveStale(path, watch);
                if (!unused)
                {
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
        return unused;
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

    private bool TryRemoveStale(string path, DatabaseWatch? watch)
    {
        if (!OperatingSystem.IsLinux() || watch is null)
        {
            return true;
        }

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
