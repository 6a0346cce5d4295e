using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Sqlite.Storage;

// The -wal and -shm files beside a database, once the connection that used them is closed because the database
// file was replaced (renamed over, deleted) or overwritten in place (a backup copied over it). They hold the old
// content's pages: SQLite does not tie a log to its database file, so the next connection would apply them to
// whatever file is at the path now, and the next checkpoint would write them into it. They must go, but only
// when nobody else uses them, and, for an overwrite, only when the database file really no longer holds what
// SQLite put into it.
//
// Never call these while a connection of this process has the database open: closing a descriptor of a file
// drops every POSIX lock this process holds on it, SQLite's included. The pool calls them after closing its own
// connection, and checks /proc/self/fd that no other connection of the process has the files open.
[SupportedOSPlatform("linux")]
internal static class WalSidecars
{
    // SQLite's unix VFS keeps a shared lock on this byte of the -shm file for as long as a connection has the
    // wal-index mapped (its "dead man switch"): an exclusive lock on it means that no other process uses it.
    private const long DeadManSwitchByte = 128;
    private const int WalHeaderSize = 32;
    private const int FrameHeaderSize = 24;

    public static string WalOf(string databasePath) => databasePath + "-wal";

    public static string ShmOf(string databasePath) => databasePath + "-shm";

    // The two salts of the WAL header, which SQLite changes each time it starts the log afresh; null when the
    // log has no complete header. Safe while connections are open: SQLite takes no locks on the -wal file.
    public static ulong? ReadWalSalts(string databasePath)
    {
        Span<byte> header = stackalloc byte[WalHeaderSize];
        try
        {
            using var handle = File.OpenHandle(WalOf(databasePath), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return RandomAccess.Read(handle, header, 0) < WalHeaderSize ? null : BinaryPrimitives.ReadUInt64BigEndian(header[16..]);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // After the database was replaced or removed: deletes the -wal and -shm files still at the path that are the
    // ones the closed connection used (wal, shm), unless another process, or another connection of this one, has
    // them open. Returns false when they are in use and were left alone.
    public static bool TryRemoveStale(string databasePath, FileState? wal, FileState? shm)
    {
        var staleWal = FileState.IsSameFile(FileState.Of(WalOf(databasePath)), wal);
        if (!FileState.IsSameFile(FileState.Of(ShmOf(databasePath)), shm))
        {
            // The old wal-index is no longer at the path, so nobody can start using the old log through it.
            if (staleWal)
            {
                File.Delete(WalOf(databasePath));
            }

            return true;
        }

        using var alone = TryLockAlone(ShmOf(databasePath), shm!.Value);
        if (alone is null)
        {
            return false;
        }

        if (staleWal)
        {
            File.Delete(WalOf(databasePath));
        }

        File.Delete(ShmOf(databasePath));
        return true;
    }

    public enum Outcome
    {
        // The database file holds what SQLite checkpointed into it: nothing was removed.
        Consistent,

        // The -wal and -shm files are not the closed connection's any more, or they cannot be read consistently:
        // nothing was removed.
        Kept,

        // The database file was written outside SQLite: its old -wal and -shm were deleted.
        Discarded,

        // Another process, or another connection of this one, has the -shm file open: nothing could be checked.
        InUse,
    }

    // After the database file was found written while the connection was idle, with no sign of another
    // connection's activity in the log: decides from the files themselves whether a checkpoint wrote it or
    // something outside SQLite did, and in the second case deletes the old -wal and -shm.
    public static Outcome DiscardIfOverwritten(string databasePath, FileState? wal, FileState? shm)
    {
        if (!FileState.IsSameFile(FileState.Of(WalOf(databasePath)), wal) || !FileState.IsSameFile(FileState.Of(ShmOf(databasePath)), shm))
        {
            return Outcome.Kept;
        }

        using var alone = TryLockAlone(ShmOf(databasePath), shm!.Value);
        if (alone is null)
        {
            return Outcome.InUse;
        }

        switch (MatchesCheckpoints(alone.SafeFileHandle, WalOf(databasePath), databasePath))
        {
            case true:
                return Outcome.Consistent;
            case null:
                return Outcome.Kept;
        }

        File.Delete(WalOf(databasePath));
        File.Delete(ShmOf(databasePath));
        return Outcome.Discarded;
    }

    // The -shm file, opened and locked at the dead-man-switch byte, or null when another process holds that byte
    // or another descriptor of this process has the file open.
    private static FileStream? TryLockAlone(string shmPath, FileState expected)
    {
        if (OpenInThisProcess(expected))
        {
            return null;
        }

        var stream = new FileStream(shmPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            if (!FileState.IsSameFile(FileState.Of(shmPath), expected))
            {
                stream.Dispose();
                return null;
            }

            stream.Lock(DeadManSwitchByte, 1);
            return stream;
        }
        catch (IOException)
        {
            stream.Dispose();
            return null;
        }
    }

    private static bool OpenInThisProcess(FileState file)
    {
        foreach (var descriptor in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (FileState.IsSameFile(FileState.Of(descriptor), file))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // A descriptor closed meanwhile, or one that cannot be examined (a socket's is fine): not the file.
            }
        }

        return false;
    }

    // Whether the database file holds, for every page that SQLite's checkpoints have copied from the log, the
    // page from the log: true when it does, false when it does not or when no checkpoint of this log wrote
    // anything (so no SQLite connection changed the file), null when the files cannot be read consistently.
    // The wal-index layout (native byte order): two copies of a 48-byte header (isInit at 12, page size at 14,
    // mxFrame at 16, nPage at 20, salts at 32), then nBackfill at 96. The log (big-endian): a 32-byte header
    // (page size at 8, salts at 16), then frames of a 24-byte header (page number at 0, salts at 8) and a page.
    private static bool? MatchesCheckpoints(SafeFileHandle shm, string walPath, string databasePath)
    {
        Span<byte> index = stackalloc byte[136];
        if (RandomAccess.Read(shm, index, 0) < index.Length || !index[..48].SequenceEqual(index[48..96]) || index[12] == 0)
        {
            return null;
        }

        var mxFrame = MemoryMarshal.Read<uint>(index[16..]);
        var pages = MemoryMarshal.Read<uint>(index[20..]);
        var encodedPageSize = MemoryMarshal.Read<ushort>(index[14..]);
        var pageSize = (encodedPageSize & 0xfe00) + ((encodedPageSize & 1) << 16);
        var backfilled = MemoryMarshal.Read<uint>(index[96..]);
        if (mxFrame == 0 || backfilled == 0)
        {
            // An empty log loses nothing when deleted; a log no checkpoint copied from did not write the file.
            return false;
        }

        using var wal = File.OpenHandle(walPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[WalHeaderSize];
        if (RandomAccess.Read(wal, header, 0) < WalHeaderSize || BinaryPrimitives.ReadUInt32BigEndian(header[8..]) != pageSize || !header[16..24].SequenceEqual(index[32..40]))
        {
            return null;
        }

        // The last frame of each page, as the checkpointer sees it: a page whose last frame is past nBackfill was
        // not copied, whatever earlier frames it has.
        var last = new Dictionary<uint, uint>();
        Span<byte> frame = stackalloc byte[FrameHeaderSize];
        for (var i = 1u; i <= mxFrame; i++)
        {
            if (RandomAccess.Read(wal, frame, FrameOffset(i, pageSize)) < FrameHeaderSize || !frame[8..16].SequenceEqual(header[16..24]))
            {
                return null;
            }

            last[BinaryPrimitives.ReadUInt32BigEndian(frame)] = i;
        }

        var fromLog = new byte[pageSize];
        var fromFile = new byte[pageSize];
        var compared = 0;
        using var database = File.OpenHandle(databasePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        foreach (var (page, i) in last)
        {
            if (i > backfilled || page > pages)
            {
                continue;
            }

            if (RandomAccess.Read(wal, fromLog, FrameOffset(i, pageSize) + FrameHeaderSize) < pageSize)
            {
                return null;
            }

            if (RandomAccess.Read(database, fromFile, (page - 1L) * pageSize) < pageSize || !fromLog.AsSpan().SequenceEqual(fromFile))
            {
                return false;
            }

            compared++;
        }

        return compared > 0 ? true : null;
    }

    private static long FrameOffset(uint frame, int pageSize) => WalHeaderSize + ((frame - 1L) * (FrameHeaderSize + pageSize));
}
