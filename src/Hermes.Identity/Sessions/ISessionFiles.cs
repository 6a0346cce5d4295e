namespace Hermes.Identity.Sessions;

// For export and erase: the session storage closes a profile's database before its files are copied,
// moved or deleted, so that no pooled connection keeps writing into an unlinked file. Internal: callers
// check identity.admin themselves; hosts reach this only through those features.
internal interface ISessionFiles
{
    // Closes every open connection to the database at databasePath and keeps it closed until the handle
    // is disposed: operations for that profile wait meanwhile, then open the file found at the path.
    ValueTask<IAsyncDisposable> TakeOfflineAsync(string databasePath, CancellationToken cancellationToken = default);

    // Writes a consistent copy of the database (as of one transaction) to destinationFile, which must not exist.
    // Returns false when the profile has no database.
    Task<bool> ExportAsync(string databasePath, string destinationFile, CancellationToken cancellationToken = default);

    // Closes the database and deletes it with its -wal and -shm files. Returns false when there was none.
    Task<bool> EraseAsync(string databasePath, CancellationToken cancellationToken = default);
}
