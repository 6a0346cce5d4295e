using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Memory;

// Takes, without waiting, the lock Hermes Agent's memory tool takes on "<file>.lock": flock(LOCK_EX) on
// Unix, a lock on the first byte on Windows (msvcrt.locking(fd, LK_LOCK, 1) at offset 0). On Unix the
// runtime already flocks a file opened with FileShare.None; flock is called here as well, so the lock
// holds even when the host turned the runtime's file locking off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING).
// Calling it again on the same descriptor is a no-op. Contention comes out as an IOException that
// MemoryIoFailure.IsLockContention recognises (EWOULDBLOCK, ERROR_LOCK_VIOLATION).
internal static partial class HermesFileLock
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    // Set once libc could not be loaded: the runtime's own flock is then the lock.
    private static volatile bool s_noLibc;

    /// <summary>Opens (creating, 0600 on Unix) and locks <paramref name="lockPath"/>; dispose the stream to release it.</summary>
    /// <exception cref="IOException">Another process holds the lock, or the file could not be opened or locked.</exception>
    /// <exception cref="UnauthorizedAccessException">The lock file may not be opened.</exception>
    public static FileStream TryTake(string lockPath)
    {
        if (OperatingSystem.IsWindows())
        {
            // Hermes opens the lock file with the C runtime's default sharing, and locks a byte range: share it, lock byte 0.
            var shared = new FileStream(lockPath, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
            });
            try
            {
                shared.Lock(0, 1);
                return shared;
            }
            catch
            {
                shared.Dispose();
                throw;
            }
        }

        var stream = new FileStream(lockPath, DurableFileWriter.OwnerOnly(FileMode.OpenOrCreate, FileAccess.ReadWrite));
        try
        {
            Flock(stream.SafeFileHandle, lockPath);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static void Flock(SafeFileHandle handle, string lockPath)
    {
        if (s_noLibc)
        {
            return;
        }

        int result;
        try
        {
            result = FlockNative(handle, LockExclusive | LockNonBlocking);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_noLibc = true;
            return;
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"'{lockPath}' could not be locked: {Marshal.GetPInvokeErrorMessage(errno)}.", errno);
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockNative(SafeFileHandle fd, int operation);
}
