using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// What happened to an open database's file since the connection's last operation.
internal enum FileChange
{
    Unchanged,

    // No file at the path any more (deleted, or moved away).
    Vanished,

    // Another file at the path (a backup renamed over it: mv backup.db state.db).
    Replaced,

    // The same file, written while the connection was idle with no sign of another SQLite connection's
    // activity: most likely overwritten in place (cp backup.db state.db), to be confirmed from the files.
    Overwritten,
}

// What the pool knows of the files behind one open connection (Linux): the database file the connection has
// open (device and inode, recorded when it was opened), its state after the connection's last operation, the
// -wal and -shm files it uses, and the salts of the log. Checked before every operation and before closing.
[SupportedOSPlatform("linux")]
internal sealed class DatabaseWatch
{
    private readonly string _path;
    private FileState _lastSeen;
    private ulong? _salts;
    private long _changes;

    private DatabaseWatch(string path, FileState file, SqliteConnection connection)
    {
        _path = path;
        File = file;
        _lastSeen = file;
        Wal = FileState.Of(WalSidecars.WalOf(path));
        Shm = FileState.Of(WalSidecars.ShmOf(path));
        _salts = WalSidecars.ReadWalSalts(path);
        _changes = SQLitePCL.raw.sqlite3_total_changes(connection.Handle);
    }

    // The database file the connection has open.
    public FileState File { get; }

    // The -wal and -shm files the connection uses (null if it had none when opened).
    public FileState? Wal { get; }

    public FileState? Shm { get; }

    // Called right after the connection was opened and configured (which read the file). before is the file at
    // the path just before opening: when another file is there now, it was replaced while opening, and which
    // one the connection has is unknown, so the caller opens again.
    public static DatabaseWatch? Start(string path, FileState? before, SqliteConnection connection)
    {
        var after = FileState.Of(path);
        if (after is not { } file || (before is { } earlier && !earlier.IsSameFile(file)))
        {
            return null;
        }

        return new DatabaseWatch(path, file, connection);
    }

    public FileChange Check()
    {
        if (FileState.Of(_path) is not { } now)
        {
            return FileChange.Vanished;
        }

        if (!now.IsSameFile(File))
        {
            return FileChange.Replaced;
        }

        if (now == _lastSeen)
        {
            return FileChange.Unchanged;
        }

        // Written since it was opened. Another connection that wrote and checkpointed has usually started a new
        // log since: that explains the change. With the same log, only the files can tell a checkpoint (ours or
        // another process's) from an overwrite (WalSidecars.DiscardIfOverwritten).
        var salts = WalSidecars.ReadWalSalts(_path);
        if (salts != _salts)
        {
            _lastSeen = now;
            _salts = salts;
            return FileChange.Unchanged;
        }

        return FileChange.Overwritten;
    }

    // After each operation. Our own writes go to the log (a new one, with new salts, when SQLite restarts it),
    // so the salts are read again; the database file is not recorded again, because only a checkpoint writes it,
    // and a checkpoint, even ours, must be told from an overwrite by the files (at most once per checkpoint).
    public void AfterOperation(SqliteConnection connection)
    {
        var changes = SQLitePCL.raw.sqlite3_total_changes(connection.Handle);
        if (changes != _changes)
        {
            _changes = changes;
            _salts = WalSidecars.ReadWalSalts(_path);
        }
    }
}
