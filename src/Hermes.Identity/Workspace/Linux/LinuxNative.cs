using System.Runtime.InteropServices;

namespace Hermes.Identity.Workspace;

// The Linux system calls the workspace needs. glibc has no openat2 wrapper, so it goes through
// syscall(2); statx and getdents64 are used because their layouts are the same on every architecture.
internal static partial class LinuxNative
{
    private const string Libc = "libc";

    // Unified syscall table: openat2 is 437 on x86_64, aarch64 and every architecture added since 5.1.
    public const int SysOpenat2 = 437;

    public const int AtFdCwd = -100;
    public const int AtRemoveDir = 0x200;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;

    public const uint RenameNoReplace = 1;

    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int ONoCtty = 0x100;
    public const int OTrunc = 0x200;
    public const int OAppend = 0x400;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int OPath = 0x200000;

    // O_DIRECTORY and O_NOFOLLOW differ by architecture: arm and powerpc use their own values.
    public static readonly int ODirectory = UsesArmOpenFlags ? 0x4000 : 0x10000;
    public static readonly int ONoFollow = UsesArmOpenFlags ? 0x8000 : 0x20000;

    public const ulong ResolveNoXdev = 0x01;
    public const ulong ResolveNoMagicLinks = 0x02;
    public const ulong ResolveNoSymlinks = 0x04;
    public const ulong ResolveBeneath = 0x08;

    public const uint StatxBasicStats = 0x7ff;

    public const int SIfMt = 0xF000;
    public const int SIfReg = 0x8000;
    public const int SIfDir = 0x4000;
    public const int SIfLnk = 0xA000;

    public const byte DtUnknown = 0;
    public const byte DtDir = 4;
    public const byte DtReg = 8;
    public const byte DtLnk = 10;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EIo = 5;
    public const int ENxIo = 6;
    public const int EAgain = 11;
    public const int EAcces = 13;
    public const int EBusy = 16;
    public const int EExist = 17;
    public const int EXDev = 18;
    public const int ENoDev = 19;
    public const int ENotDir = 20;
    public const int EIsDir = 21;
    public const int EInval = 22;
    public const int ENFile = 23;
    public const int EMFile = 24;
    public const int ETxtBsy = 26;
    public const int EFBig = 27;
    public const int ENoSpc = 28;
    public const int ERoFs = 30;
    public const int ENameTooLong = 36;
    public const int ENoSys = 38;
    public const int ENotEmpty = 39;
    public const int ELoop = 40;
    public const int EOpNotSupp = 95;
    public const int EDQuot = 122;

    private static bool UsesArmOpenFlags => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Syscall(nint number, nint dirfd, string path, ref OpenHow how, nuint size);

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirfd, string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    [LibraryImport(Libc, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadLinkAt(int dirfd, string path, byte[] buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatX(int dirfd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Libc, EntryPoint = "getdents64", SetLastError = true)]
    public static unsafe partial nint GetDents64(int fd, byte* buffer, nuint count);

    /// <summary>openat2(2). Returns the new fd, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static int OpenAt2(int dirfd, string path, int flags, uint mode, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)(uint)flags, Mode = (flags & OCreat) != 0 ? mode : 0, Resolve = resolve };
        return (int)Syscall(SysOpenat2, dirfd, path, ref how, (nuint)OpenHow.Size);
    }

    /// <summary>fstat through statx(fd, "", AT_EMPTY_PATH): works on O_PATH descriptors too.</summary>
    public static int FStat(int fd, out Statx buffer) => StatX(fd, string.Empty, AtEmptyPath | AtSymlinkNoFollow, StatxBasicStats, out buffer);
}
