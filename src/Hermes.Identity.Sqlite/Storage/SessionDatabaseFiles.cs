using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Internal;

namespace Hermes.Identity.Sqlite.Storage;

// The core's export and erase of one profile's session database (ISessionFiles), on top of the pool: a
// consistent copy made through the pooled connection, and a deletion done while the path is offline, so that
// no pooled connection keeps writing into an unlinked file.
internal sealed class SessionDatabaseFiles(SessionDatabasePool pool) : ISessionFiles
{
    public ValueTask<IAsyncDisposable> TakeOfflineAsync(string databasePath, CancellationToken cancellationToken = default) =>
        pool.TakeOfflineAsync(databasePath, cancellationToken);

    public async Task<bool> ExportAsync(string databasePath, string destinationFile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationFile);
        if (File.Exists(destinationFile))
        {
            throw new IOException($"'{destinationFile}' already exists; export the session database to a new file.");
        }

        using var lease = await pool.AcquireAsync(databasePath, create: false, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return false;
        }

        using var command = lease.Connection.CreateCommand();
        command.CommandText = "VACUUM INTO $file";
        command.Parameters.AddWithValue("$file", Path.GetFullPath(destinationFile));
        command.ExecuteNonQuery();
        return true;
    }

    public async Task<bool> EraseAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(databasePath);
        var offline = await pool.TakeOfflineAsync(path, cancellationToken).ConfigureAwait(false);
        await using (offline.ConfigureAwait(false))
        {
            var existed = File.Exists(path);
            // A profile that never stored a session has no folder: nothing to delete (File.Delete would throw).
            foreach (var suffix in Directory.Exists(Path.GetDirectoryName(path)) ? (string[])["", "-wal", "-shm", "-journal"] : [])
            {
                File.Delete(path + suffix);
            }

            if (existed)
            {
                Log.DatabaseErased(pool.Logger, path);
            }

            return existed;
        }
    }
}
