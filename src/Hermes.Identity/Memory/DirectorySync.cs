using System.Runtime.InteropServices;

namespace Hermes.Identity.Memory;

// Flushes a folder's entries to disk, so a rename (or a new file) in it survives a power cut.
// .NET has no API for this: a folder cannot be opened as a FileStream. On Windows the rename is
// journaled by NTFS and there is nothing to open, so it is skipped there.
internal static partial class DirectorySync
{
    private const int EINVAL = 22;
    private const int ENOTSUP = 95;
    private const int ENOTSUP_MACOS = 45;

    // 0: not tried yet; 1: glibc by soname; 2: "libc" (musl, macOS, BSD); -1: no libc found, flushing skipped.
    private static int s_library;

    // O_CLOEXEC, so a process started at the same moment does not inherit the handle. O_RDONLY is 0.
    private static readonly int OpenFlags = OperatingSystem.IsLinux() ? 0x80000 : OperatingSystem.IsMacOS() ? 0x1000000 : 0;

    // False when folders cannot be flushed here (no libc found); the caller warns once.
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var fd = Open(directory);
        if (fd < 0)
        {
            if (fd == int.MinValue)
            {
                return false;
            }

            throw new IOException($"Cannot open the folder '{directory}' to flush it to disk (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // Some file systems cannot flush a folder; their renames are as durable as they get.
                if (errno is not (EINVAL or ENOTSUP or ENOTSUP_MACOS))
                {
                    throw new IOException($"Flushing the folder '{directory}' to disk failed (errno {errno}).");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }

        return true;
    }

    // int.MinValue: no libc could be loaded, so flushing folders is not possible here.
    private static int Open(string directory)
    {
        // A folder opens read-only without O_DIRECTORY, whose value differs by architecture.
        switch (Volatile.Read(ref s_library))
        {
            case 1:
                return Glibc.Open(directory, OpenFlags);
            case 2:
                return Libc.Open(directory, OpenFlags);
            case < 0:
                return int.MinValue;
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                var fd = Glibc.Open(directory, OpenFlags);
                Volatile.Write(ref s_library, 1);
                return fd;
            }
            catch (DllNotFoundException)
            {
                // Not glibc (Alpine's musl, say): try the generic name below.
            }
        }

        try
        {
            var fd = Libc.Open(directory, OpenFlags);
            Volatile.Write(ref s_library, 2);
            return fd;
        }
        catch (DllNotFoundException)
        {
            Volatile.Write(ref s_library, -1);
            return int.MinValue;
        }
    }

    private static int Fsync(int fd) => Volatile.Read(ref s_library) == 1 ? Glibc.Fsync(fd) : Libc.Fsync(fd);

    private static int Close(int fd) => Volatile.Read(ref s_library) == 1 ? Glibc.Close(fd) : Libc.Close(fd);

    private static partial class Glibc
    {
        private const string Library = "libc.so.6";

        [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }

    private static partial class Libc
    {
        private const string Library = "libc";

        [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
