using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Hermes.Identity.Sqlite.Storage;

// What Linux says about one file, from statx(2): which file it is (device and inode) and when its content
// last changed (size, modification and status-change times, to the nanosecond the file system keeps).
// Two states of the same path with another device or inode are two different files: the path was renamed
// over or deleted and created again. The same file with another size or time has been written to.
internal readonly partial record struct FileState(uint DeviceMajor, uint DeviceMinor, ulong Inode, ulong Size, long ModifiedSeconds, uint ModifiedNanoseconds, long ChangedSeconds, uint ChangedNanoseconds)
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ENoEnt = 2;
    private const int ENotDir = 20;

    public bool IsSameFile(FileState other) => DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor && Inode == other.Inode;

    public static bool IsSameFile(FileState? a, FileState? b) => a is { } x && b is { } y && x.IsSameFile(y);

    // The file at path now (following a symbolic link, as SQLite does), or null when there is none.
    [SupportedOSPlatform("linux")]
    public static FileState? Of(string path)
    {
        if (StatX(AtFdCwd, path, 0, StatxBasicStats, out var buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is ENoEnt or ENotDir ? null : throw new IOException($"'{path}' could not be examined (statx failed with errno {errno}).");
        }

        return new FileState(buffer.DeviceMajor, buffer.DeviceMinor, buffer.Inode, buffer.Size, buffer.ModifiedSeconds, buffer.ModifiedNanoseconds, buffer.ChangedSeconds, buffer.ChangedNanoseconds);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int dirfd, string path, int flags, uint mask, out Statx buffer);

    // struct statx: the same layout on every architecture.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(96)] public long ChangedSeconds;
        [FieldOffset(104)] public uint ChangedNanoseconds;
        [FieldOffset(112)] public long ModifiedSeconds;
        [FieldOffset(120)] public uint ModifiedNanoseconds;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }
}
