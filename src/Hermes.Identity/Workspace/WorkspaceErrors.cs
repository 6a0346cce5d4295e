using System.Runtime.InteropServices;
using System.Text;
using static Hermes.Identity.Workspace.LinuxNative;

namespace Hermes.Identity.Workspace;

// Turns what the operating system said into a WorkspaceAccessException: a reason the caller can act on
// and a message that says what happened and what to do. Messages name the path as the caller gave it,
// never a path outside the workspace (a .NET exception's message holds the full path, so it is never
// copied). Errors are numbered as on Linux; other systems' codes are translated first.
internal static class WorkspaceErrors
{
    /// <summary>The error <paramref name="errno"/> on <paramref name="path"/>.</summary>
    /// <param name="errno">The error, Linux numbering.</param>
    /// <param name="path">The path as the caller gave it.</param>
    /// <param name="linksRefused">Whether symbolic links are refused outright (the openat walk), for the ELOOP message.</param>
    public static WorkspaceAccessException FromErrno(int errno, string path, bool linksRefused = false)
    {
        var shown = WorkspacePath.Show(path);
        return errno switch
        {
            EXDev => new(WorkspaceAccessReason.OutsideWorkspace, $"{shown} leads outside the workspace (through '..' or a symbolic link), so it is refused."),
            ELoop when linksRefused => new(WorkspaceAccessReason.SymbolicLink, $"{shown} goes through a symbolic link; on this system symbolic links in the workspace are not followed."),
            ELoop => new(WorkspaceAccessReason.SymbolicLink, $"{shown} goes through too many symbolic links (a loop?) or a link that cannot be followed here."),
            ENoEnt => new(WorkspaceAccessReason.NotFound, $"{shown} does not exist.{NormalisationHint(path)}"),
            EExist => new(WorkspaceAccessReason.AlreadyExists, $"{shown} already exists."),
            ENotDir => new(WorkspaceAccessReason.NotADirectory, $"A part of {shown} is a file, not a folder. Check the path; a file cannot hold other files."),
            EIsDir => new(WorkspaceAccessReason.NotARegularFile, $"{shown} is a directory, not a file."),
            ENotEmpty => new(WorkspaceAccessReason.DirectoryNotEmpty, $"{shown} is a directory that is not empty; delete what is in it first."),
            ENxIo or ENoDev => new(WorkspaceAccessReason.NotARegularFile, $"{shown} is not a regular file (a FIFO, a socket or a device); only regular files and directories are served."),
            ENameTooLong => new(WorkspaceAccessReason.PathTooLong, $"{shown} is too long for the file system. Use shorter names; nothing was truncated."),
            EFBig => new(WorkspaceAccessReason.TooLarge, $"{shown} is too large for the file system."),
            EPerm or EAcces => new(WorkspaceAccessReason.PermissionDenied,
                $"The file system does not let the host's process use {shown} (permission denied, {Name(errno)}). " +
                "Trying again will not help; the host's operator must fix the permissions in the workspace."),
            ENoSpc or EDQuot => new(WorkspaceAccessReason.NoSpace,
                $"There is no space left for {shown}: the disk or the quota is full ({Name(errno)}). " +
                "Delete files you no longer need, or ask the host's operator for more space."),
            ERoFs => new(WorkspaceAccessReason.ReadOnlyFileSystem,
                $"The disk holding the workspace is read-only (EROFS), so {shown} cannot be changed. " +
                "Trying again will not help; the host's operator must remount it read-write."),
            EMFile or ENFile => new(WorkspaceAccessReason.FileSystemError,
                $"The host has too many files open ({Name(errno)}), so {shown} could not be opened. " +
                "Try again in a moment; if it keeps happening, the host's operator must raise the open-file limit."),
            EBusy or ETxtBsy => new(WorkspaceAccessReason.FileSystemError,
                $"{shown} is in use ({Name(errno)}: a mount point, or a program that is running). Leave it alone or try again later."),
            EIo => new(WorkspaceAccessReason.FileSystemError,
                $"The disk reported an I/O error (EIO) on {shown}; it may be failing. Ask the host's operator to check it."),
            EAgain => new(WorkspaceAccessReason.FileSystemError, $"{shown} kept changing while it was being opened (EAGAIN). Try again."),
            EInval => new(WorkspaceAccessReason.FileSystemError,
                $"The file system refused {shown} as invalid (EINVAL); it may not accept a character in this name. Try a simpler name."),
            EOpNotSupp => new(WorkspaceAccessReason.FileSystemError, $"The file system does not support this operation on {shown} (EOPNOTSUPP)."),
            _ => new(WorkspaceAccessReason.FileSystemError,
                $"The file system refused {shown}: {Describe(errno)}. If it keeps happening, ask the host's operator."),
        };
    }

    /// <summary>
    /// An exception from a .NET file API (FileStream, RandomAccess, Directory) on <paramref name="path"/>;
    /// <see langword="null"/> when it is not a file-system error.
    /// </summary>
    public static WorkspaceAccessException? FromException(Exception ex, string path) => ex switch
    {
        WorkspaceAccessException => null,
        FileNotFoundException or DirectoryNotFoundException => FromErrno(ENoEnt, path),
        PathTooLongException => FromErrno(ENameTooLong, path),
        UnauthorizedAccessException => FromErrno(EAcces, path),
        IOException io when ToLinuxErrno(io, out _) is > 0 and var errno => FromErrno(errno, path),
        IOException io => new(WorkspaceAccessReason.FileSystemError,
            $"The file system refused {WorkspacePath.Show(path)}: {Describe(io)}. If it keeps happening, ask the host's operator."),
        _ => null,
    };

    /// <summary>The workspace folder <paramref name="root"/> itself could not be created or opened.</summary>
    /// <param name="errno">The error, Linux numbering; ENOTDIR and ELOOP are told apart by looking at the root.</param>
    /// <param name="root">The workspace folder's full path; only its last two names are shown.</param>
    public static WorkspaceAccessException ForRoot(int errno, string root)
    {
        var shown = ShowRoot(root);
        if (errno is ENotDir or ELoop or EExist)
        {
            var info = new FileInfo(root);
            if (info.LinkTarget is not null)
            {
                return new(WorkspaceAccessReason.SymbolicLink,
                    $"The workspace folder {shown} is a symbolic link. A workspace must be a real folder, so that nothing can move it " +
                    "elsewhere; the host's operator must replace the link with the folder it points to.");
            }

            return new(WorkspaceAccessReason.NotADirectory, info.Exists
                ? $"The workspace folder {shown} is a file, not a folder; the host's operator must move that file away."
                : $"A part of the path to the workspace folder {shown} is a file, not a folder; the host's operator must move that file away.");
        }

        return errno switch
        {
            EPerm or EAcces => new(WorkspaceAccessReason.PermissionDenied,
                $"The host's process may not create or open the workspace folder {shown} (permission denied, {Name(errno)}). " +
                "The host's operator must give the host's user access to it."),
            ENoSpc or EDQuot => new(WorkspaceAccessReason.NoSpace,
                $"The workspace folder {shown} cannot be created: the disk or the quota is full ({Name(errno)}). The host's operator must free some space."),
            ERoFs => new(WorkspaceAccessReason.ReadOnlyFileSystem,
                $"The workspace folder {shown} cannot be created: the disk is read-only (EROFS). The host's operator must remount it read-write."),
            ENoEnt => new(WorkspaceAccessReason.NotFound, $"The workspace folder {shown} was removed while it was being opened. Try again."),
            _ => new(WorkspaceAccessReason.FileSystemError,
                $"The workspace folder {shown} could not be opened: {Describe(errno)}. If it keeps happening, the host's operator should look at it."),
        };
    }

    /// <summary><see cref="ForRoot(int, string)"/> for an exception from creating the folder with .NET.</summary>
    public static WorkspaceAccessException ForRoot(Exception ex, string root) => ex switch
    {
        // mkdir under a file answers ENOTDIR, which .NET reports as "part of the path not found".
        DirectoryNotFoundException => ForRoot(ENotDir, root),
        UnauthorizedAccessException => ForRoot(EAcces, root),
        PathTooLongException => ForRoot(ENameTooLong, root),
        IOException io when ToLinuxErrno(io, out _) is > 0 and var errno => ForRoot(errno, root),
        IOException io => new(WorkspaceAccessReason.FileSystemError,
            $"The workspace folder {ShowRoot(root)} could not be created: {Describe(io)}. The host's operator should look at it."),
        _ => throw new ArgumentException("Not a file-system error.", nameof(ex)),
    };

    // The last two names of the root (workspaces/mei in the usual layout): enough to find it, without the host's data root.
    private static string ShowRoot(string root)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        var name = Path.GetFileName(trimmed);
        var parent = Path.GetFileName(Path.GetDirectoryName(trimmed));
        return string.IsNullOrEmpty(parent) ? $"'{name}'" : $"'{parent}/{name}'";
    }

    private static string NormalisationHint(string path) => Ascii.IsValid(path)
        ? string.Empty
        : " Workspace paths are read in Unicode NFC form; a file whose name was written in another form outside the workspace is not found under this name.";

    // On Unix .NET puts the errno in HResult when no specific exception fits; on Windows, 0x8007 and the Win32 code.
    private static int ToLinuxErrno(IOException ex, out int raw)
    {
        raw = ex.HResult;
        if (ex.GetType() != typeof(IOException))
        {
            return -1;
        }

        if (OperatingSystem.IsWindows())
        {
            return (raw & unchecked((int)0xFFFF0000)) != unchecked((int)0x80070000) ? -1 : (raw & 0xFFFF) switch
            {
                2 or 3 => ENoEnt,
                5 => EAcces,
                19 => ERoFs,
                32 or 33 => EBusy,
                39 or 112 => ENoSpc,
                80 or 183 => EExist,
                145 => ENotEmpty,
                206 => ENameTooLong,
                267 => ENotDir,
                _ => -1,
            };
        }

        if (OperatingSystem.IsLinux() || raw is < 35 and > 0)
        {
            return raw; // 1 to 34 are the same on Linux, macOS and the BSDs
        }

        return raw switch
        {
            35 => EAgain,
            45 or 102 => EOpNotSupp,
            62 => ELoop,
            63 => ENameTooLong,
            66 => ENotEmpty,
            69 => EDQuot,
            _ => -1,
        };
    }

    // The system's own words for the code .NET recorded (never ex.Message: it holds the full path).
    private static string Describe(IOException ex)
    {
        var code = OperatingSystem.IsWindows() ? ex.HResult & 0xFFFF : ex.HResult;
        return code > 0 ? $"{Marshal.GetPInvokeErrorMessage(code)} (error {code})" : $"an unexpected {ex.GetType().Name}";
    }

    private static string Describe(int errno) => OperatingSystem.IsLinux()
        ? $"{Marshal.GetPInvokeErrorMessage(errno)} ({Name(errno)})"
        : $"error {errno}";

    private static string Name(int errno) => errno switch
    {
        EPerm => "EPERM",
        EAcces => "EACCES",
        ENoSpc => "ENOSPC",
        EDQuot => "EDQUOT",
        EMFile => "EMFILE",
        ENFile => "ENFILE",
        EBusy => "EBUSY",
        ETxtBsy => "ETXTBSY",
        _ => $"errno {errno}",
    };
}
