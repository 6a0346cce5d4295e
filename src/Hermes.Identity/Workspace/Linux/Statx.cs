using System.Runtime.InteropServices;

namespace Hermes.Identity.Workspace;

// struct statx from <linux/stat.h>: the same 256-byte layout on every architecture, unlike struct stat.
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct Statx
{
    [FieldOffset(0)] public uint Mask;
    [FieldOffset(16)] public uint HardLinks;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(32)] public ulong Inode;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(112)] public long ModifiedSeconds;
    [FieldOffset(120)] public uint ModifiedNanoseconds;
    [FieldOffset(136)] public uint DevMajor;
    [FieldOffset(140)] public uint DevMinor;

    public readonly int FileType => Mode & LinuxNative.SIfMt;

    public readonly bool IsRegularFile => FileType == LinuxNative.SIfReg;

    public readonly bool IsDirectory => FileType == LinuxNative.SIfDir;

    /// <summary>Whether this and <paramref name="other"/> describe the same file (device and inode).</summary>
    public readonly bool IsSameFile(in Statx other) => Inode == other.Inode && DevMajor == other.DevMajor && DevMinor == other.DevMinor;

    public readonly DateTimeOffset ModifiedAt => DateTimeOffset.FromUnixTimeSeconds(ModifiedSeconds).AddTicks(ModifiedNanoseconds / 100);
}
