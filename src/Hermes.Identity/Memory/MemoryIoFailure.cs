using System.Runtime.InteropServices;

namespace Hermes.Identity.Memory;

// Tells a failure that waiting cures (another writer holds the lock) from one it does not (a read-only
// disk, a permission, a file where a folder should be, a full disk), and says what to do about the
// second kind. On Unix .NET puts the errno in IOException.HResult when it has no more specific
// exception; EACCES and EPERM become UnauthorizedAccessException, ENOENT and ENOTDIR
// DirectoryNotFoundException. On Windows HResult is 0x8007xxxx with the Win32 error code.
internal static class MemoryIoFailure
{
    private const int EWouldBlockLinux = 11;
    private const int EWouldBlockBsd = 35;
    private const int ENFile = 23;
    private const int EMFile = 24;
    private const int ENoSpc = 28;
    private const int ERoFs = 30;
    private static readonly int s_eDQuot = OperatingSystem.IsLinux() ? 122 : 69;

    private const int Win32HResult = unchecked((int)0x80070000);
    private const int ErrorWriteProtect = 19;
    private const int ErrorSharingViolation = 32;
    private const int ErrorLockViolation = 33;
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;

    // True only for "someone else holds the lock": flock(LOCK_NB) answering EWOULDBLOCK on Unix, a
    // sharing or lock violation on Windows. Everything else fails at once.
    public static bool IsLockContention(IOException ex)
    {
        if (ex.GetType() != typeof(IOException))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return ex.HResult == (Win32HResult | ErrorSharingViolation) || ex.HResult == (Win32HResult | ErrorLockViolation);
        }

        return ex.HResult == (OperatingSystem.IsLinux() ? EWouldBlockLinux : EWouldBlockBsd);
    }

    // "<cause>. <what to do>", for "<file> could not be written, so it is unchanged: " and the like.
    // folder is the memory folder, used only to find a file standing where a folder should be.
    public static string Explain(Exception ex, string folder)
    {
        // ENOTDIR reaches .NET callers as DirectoryNotFoundException, and EEXIST from mkdir as a bare IOException.
        if (ex is IOException && FileInTheWay(folder) is { } file)
        {
            return $"'{Path.GetFileName(file)}', on the way to the memory folder, is a file, not a folder (ENOTDIR). " +
                "Trying again will not help: the host's operator must move that file away";
        }

        return ex switch
        {
            UnauthorizedAccessException =>
                "the host's process is not allowed to write there (permission denied: EACCES or EPERM, " +
                "or an immutable file or folder). Trying again will not help: the host's operator must give the host's user " +
                "write access to the memory folder, or clear its immutable attribute (chattr -i)",
            DirectoryNotFoundException =>
                "the memory folder was removed while the edit was starting (was this person's data erased?). Try again",
            PathTooLongException =>
                "the path of the memory folder is too long for the file system. The host's operator must use a shorter data root",
            IOException io when Is(io, ERoFs, ErrorWriteProtect) =>
                "the file system holding it is read-only (EROFS). Trying again will not help: the host's operator must " +
                "remount it read-write, or move the data root to a writable disk",
            IOException io when Is(io, ENoSpc, ErrorDiskFull) || Is(io, s_eDQuot, ErrorHandleDiskFull) =>
                "the disk (or the host user's quota) is full (ENOSPC). Earlier memory is intact; " +
                "the host's operator must free some space, and then the edit can be tried again",
            IOException io when Is(io, EMFile, -1) || Is(io, ENFile, -1) =>
                "the host has too many files open (EMFILE). Try again in a moment; if it persists, the host's operator " +
                "must raise the open-file limit",
            // Not ex.Message: it holds the full path, which the log line has for the operator.
            IOException io when io.GetType() == typeof(IOException) && SystemErrorCode(io) is > 0 and var code =>
                $"{Marshal.GetPInvokeErrorMessage(code)} (error {code}). The host's operator should look at the memory folder and the disk",
            _ => $"an unexpected {ex.GetType().Name} (HRESULT 0x{ex.HResult:X8}). The host's operator should look at the memory folder and the disk",
        };
    }

    // The errno on Unix; the Win32 error code on Windows (0 when HResult is not a Win32 one).
    private static int SystemErrorCode(IOException ex) => !OperatingSystem.IsWindows() ? ex.HResult
        : (ex.HResult & unchecked((int)0xFFFF0000)) == Win32HResult ? ex.HResult & 0xFFFF : 0;

    private static bool Is(IOException ex, int errno, int win32)
    {
        if (ex.GetType() != typeof(IOException))
        {
            return false;
        }

        return OperatingSystem.IsWindows() ? win32 >= 0 && ex.HResult == (Win32HResult | win32) : ex.HResult == errno;
    }

    // The nearest ancestor of folder (itself included) that exists as a regular file, if any.
    private static string? FileInTheWay(string folder)
    {
        for (var d = folder; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            if (File.Exists(d))
            {
                return d;
            }

            if (Directory.Exists(d))
            {
                return null;
            }
        }

        return null;
    }
}
