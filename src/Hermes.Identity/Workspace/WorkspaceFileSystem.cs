using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Workspace;

// One workspace root as the operating system sees it. Every method validates its path, resolves it
// from the root, checks what it found, and throws WorkspaceAccessException; none asks the policy
// (ProfileWorkspace does that first). Synchronous: these are system calls that do not block for long.
internal abstract class WorkspaceFileSystem : IDisposable
{
    /// <summary>Whether paths are confined to the root.</summary>
    public abstract bool IsConfined { get; }

    /// <summary>How paths are resolved, for logs and tests.</summary>
    public abstract string Mechanism { get; }

    /// <summary>Opens a regular file. The handle is checked to be a regular file before it is returned.</summary>
    public SafeFileHandle OpenFile(string path, WorkspaceFileMode mode) => OpenFile(path, mode, out _);

    /// <summary>Opens a regular file and gives its length when it was checked.</summary>
    public SafeFileHandle OpenFile(string path, WorkspaceFileMode mode, out long length)
    {
        var handle = OpenUnchecked(path, mode);
        try
        {
            length = CheckRegularFile(handle, path);
            // Only now: truncating before the check could empty a file the check would refuse.
            if (mode == WorkspaceFileMode.CreateOrTruncate && length != 0)
            {
                RandomAccess.SetLength(handle, 0);
                length = 0;
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Describes the file or directory at <paramref name="path"/> (symbolic links resolved).</summary>
    public abstract WorkspaceEntry GetInfo(string path);

    /// <summary>Lists a directory; <see langword="null"/> lists the root.</summary>
    public abstract IReadOnlyList<WorkspaceEntry> List(string? path, int maxEntries);

    /// <summary>Deletes a file, a symbolic link (never its target) or an empty directory.</summary>
    public abstract void Delete(string path);

    /// <summary>Creates a directory and any missing parents.</summary>
    public abstract void CreateDirectory(string path);

    public abstract void Dispose();

    /// <summary>Opens <paramref name="path"/> without truncating it; <c>OpenFile</c> checks the handle next.</summary>
    protected abstract SafeFileHandle OpenUnchecked(string path, WorkspaceFileMode mode);

    /// <summary>Throws unless <paramref name="handle"/> is a regular file that may be served; returns its length.</summary>
    protected abstract long CheckRegularFile(SafeFileHandle handle, string path);

    protected static WorkspaceAccessException NotARegularFile(string path, bool isDirectory) => new(
        WorkspaceAccessReason.NotARegularFile,
        isDirectory
            ? $"{WorkspacePath.Show(path)} is a directory, not a file."
            : $"{WorkspacePath.Show(path)} is not a regular file (a FIFO, a socket or a device); only regular files and directories are served.");

    /// <summary>Opens the file system for <paramref name="root"/>, creating the folder (0700) if it is missing.</summary>
    public static WorkspaceFileSystem Open(string root, bool confined, bool forceOpenatWalk = false)
    {
        if (OperatingSystem.IsLinux())
        {
            var mode = !confined ? LinuxResolveMode.Unconfined
                : forceOpenatWalk || !LinuxWorkspaceFileSystem.Openat2Works ? LinuxResolveMode.OpenatWalk
                : LinuxResolveMode.Openat2Beneath;
            return LinuxWorkspaceFileSystem.Open(root, mode);
        }

        return PortableWorkspaceFileSystem.Open(root, confined);
    }

    /// <summary>Creates <paramref name="root"/> if it is missing, readable by its owner only where the system has modes.</summary>
    protected static void EnsureRoot(string root)
    {
        if (Directory.Exists(root))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(root);
        }
        else
        {
            Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
