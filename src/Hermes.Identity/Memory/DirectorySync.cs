using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Memory;

// Flushes a folder's entries to disk, so a rename (or a new file) in it survives a power cut.
// .NET cannot open a folder as a file, so open(2) and fsync(2) come from libc ("libc" is mapped to
// the C library by the runtime on Linux, glibc or musl, and on macOS); the handle is closed by
// SafeFileHandle. On Windows the rename is journaled by NTFS and there is nothing to open, so it is skipped there.
internal static partial class DirectorySync
{
    private const int EINVAL = 22;
    private const int ENOTSUP = 95;
    private const int ENOTSUP_MACOS = 45;

    // O_CLOEXEC, so a process started at the same moment does not inherit the handle. O_RDONLY is 0.
    // A folder opens read-only without O_DIRECTORY, whose value differs by architecture.
    private static readonly int OpenFlags = OperatingSystem.IsLinux() ? 0x80000 : OperatingSystem.IsMacOS() ? 0x1000000 : 0;

    // Set once libc could not be loaded: flushing folders is not possible here.
    private static volatile bool s_unavailable;

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk.</summary>
    /// <returns>False when folders cannot be flushed here (no libc found); the caller warns once.</returns>
    /// <exception cref="IOException">The folder could not be opened or flushed; <see cref="Exception.HResult"/> is the errno.</exception>
    public static bool Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        if (s_unavailable)
        {
            return false;
        }

        int fd;
        try
        {
            fd = Open(directory, OpenFlags);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
            return false;
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"The folder '{directory}' could not be opened to flush it to disk: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Fsync(handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // Some file systems cannot flush a folder; their renames are as durable as they get.
            if (errno is not (EINVAL or ENOTSUP or ENOTSUP_MACOS))
            {
                throw new IOException($"Flushing the folder '{directory}' to disk failed: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
            }
        }

        return true;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);
}
