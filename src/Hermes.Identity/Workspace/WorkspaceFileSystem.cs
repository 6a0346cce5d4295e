using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Workspace;

// One workspace root as the operating system sees it. Every method validates its path (and puts it in
// Unicode NFC, as ProfileWorkspace did before asking the policy), resolves it from the root, checks what
// it found, and throws WorkspaceAccessException, whatever the operating system said; none asks the policy
// (ProfileWorkspace does that first). Synchronous: these are system calls that do not block for long.
internal abstract class WorkspaceFileSystem : IDisposable
{
    /// <param name="exactNames">Keep names exactly as given instead of putting them in NFC (see <see cref="ExactNames"/>).</param>
    protected WorkspaceFileSystem(bool exactNames) => ExactNames = exactNames;

    /// <summary>
    /// Whether paths are used exactly as given rather than put in NFC: for export and erasure, which hand back the
    /// names a listing returned, so that a file named outside the workspace in another Unicode form is reached too.
    /// </summary>
    public bool ExactNames { get; }

    /// <summary>Whether paths are confined to the root.</summary>
    public abstract bool IsConfined { get; }

    /// <summary>How paths are resolved, for logs and tests.</summary>
    public abstract string Mechanism { get; }

    /// <summary>Opens a regular file. The handle is checked to be a regular file before it is returned.</summary>
    public SafeFileHandle OpenFile(string path, WorkspaceFileMode mode) => OpenFile(path, mode, out _);

    /// <summary>Opens a regular file and gives its length when it was checked.</summary>
    public SafeFileHandle OpenFile(string path, WorkspaceFileMode mode, out long length)
    {
        path = Check(path);
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
        catch (Exception ex) when (WorkspaceErrors.FromException(ex, path) is { } error)
        {
            handle.Dispose();
            throw error;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="content"/> at the start of a file <see cref="OpenFile(string, WorkspaceFileMode)"/> opened.</summary>
    /// <exception cref="WorkspaceAccessException">The file system failed the write (the disk is full, say); the file may be incomplete.</exception>
    public static ValueTask WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> content, string path, CancellationToken cancellationToken) =>
        WriteAsync(handle, content, 0, path, cancellationToken);

    /// <summary>Writes <paramref name="content"/> at <paramref name="offset"/> (on Linux, a file opened to append writes at its end whatever the offset).</summary>
    /// <exception cref="WorkspaceAccessException">The file system failed the write (the disk is full, say); the file may be incomplete.</exception>
    public static async ValueTask WriteAsync(SafeFileHandle handle, ReadOnlyMemory<byte> content, long offset, string path, CancellationToken cancellationToken)
    {
        try
        {
            await RandomAccess.WriteAsync(handle, content, offset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WorkspaceErrors.FromException(ex, path) is { } error)
        {
            throw new WorkspaceAccessException(error.Reason, $"{error.Message} {WorkspacePath.Show(path)} may now be incomplete; write it again once the cause is fixed.");
        }
    }

    /// <summary>Reads from a file <see cref="OpenFile(string, WorkspaceFileMode)"/> opened, at <paramref name="offset"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The file system failed the read (an I/O error, say).</exception>
    public static async ValueTask<int> ReadAsync(SafeFileHandle handle, Memory<byte> buffer, long offset, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (WorkspaceErrors.FromException(ex, path) is { } error)
        {
            throw error;
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

    /// <summary>
    /// Moves or renames the entry <paramref name="source"/> (a file, a folder with what is in it, or a link, never what it
    /// points to) to <paramref name="destination"/>; an existing destination is replaced only when <paramref name="overwrite"/>.
    /// </summary>
    public abstract void Move(string source, string destination, bool overwrite);

    /// <summary>
    /// Deletes everything inside the folder <paramref name="path"/> (<see langword="null"/>: the root), depth first; links are
    /// removed, never followed. The folder itself stays. Returns how many entries were deleted.
    /// </summary>
    public abstract int DeleteContents(string? path, CancellationToken cancellationToken);

    /// <summary>Describes the entry at <paramref name="path"/> without following it if it is a symbolic link (lstat).</summary>
    public abstract WorkspaceEntry GetLinkInfo(string path);

    /// <summary>The text of the symbolic link at <paramref name="path"/>, never followed.</summary>
    public abstract string ReadLink(string path);

    /// <summary>Folders deeper than this are not entered by <see cref="DeleteContents"/>: it fails instead.</summary>
    public const int MaxDeleteDepth = 256;

    protected static WorkspaceAccessException TooDeep(string path) => new(
        WorkspaceAccessReason.TooLarge,
        $"{WorkspacePath.Show(path)} holds folders more than {MaxDeleteDepth} levels deep; nothing below that depth was deleted. Delete the deepest folders first.");

    protected static WorkspaceAccessException FileSystemRoot(string path) => new(
        WorkspaceAccessReason.InvalidPath, $"{WorkspacePath.Show(path)} is the root of the file system, which is never emptied. Name a folder.");

    protected static WorkspaceAccessException NotALink(string path) => new(
        WorkspaceAccessReason.NotASymbolicLink, $"{WorkspacePath.Show(path)} is not a symbolic link, so it has no link text to read.");

    protected static WorkspaceAccessException MoveInvalid(string source, string destination) => new(
        WorkspaceAccessReason.InvalidPath,
        $"{WorkspacePath.Show(source)} cannot be moved to {WorkspacePath.Show(destination)}: a folder cannot move into itself or a folder inside it.");

    public abstract void Dispose();

    /// <summary>Validates <paramref name="path"/> and returns the form the file system is given (NFC unless <see cref="ExactNames"/>).</summary>
    protected string Check(string path) => WorkspacePath.Validate(path, IsConfined, normalize: !ExactNames);

    /// <summary>Opens <paramref name="path"/> (already checked) without truncating it; <c>OpenFile</c> checks the handle next.</summary>
    protected abstract SafeFileHandle OpenUnchecked(string path, WorkspaceFileMode mode);

    /// <summary>Throws unless <paramref name="handle"/> is a regular file that may be served; returns its length.</summary>
    protected abstract long CheckRegularFile(SafeFileHandle handle, string path);

    protected static WorkspaceAccessException NotARegularFile(string path, bool isDirectory) => isDirectory
        ? WorkspaceErrors.FromErrno(LinuxNative.EIsDir, path)
        : WorkspaceErrors.FromErrno(LinuxNative.ENxIo, path);

    /// <summary>Opens the file system for <paramref name="root"/>, creating the folder (0700) if it is missing.</summary>
    /// <param name="root">The workspace folder.</param>
    /// <param name="confined">Whether paths are confined to it.</param>
    /// <param name="forceOpenatWalk">On Linux, use the openat walk even where openat2 works.</param>
    /// <param name="exactNames">Use paths exactly as given, not in NFC: see <see cref="ExactNames"/>.</param>
    /// <exception cref="WorkspaceAccessException">The folder could not be created or opened, or is a symbolic link.</exception>
    public static WorkspaceFileSystem Open(string root, bool confined, bool forceOpenatWalk = false, bool exactNames = false)
    {
        if (OperatingSystem.IsLinux())
        {
            var mode = !confined ? LinuxResolveMode.Unconfined
                : forceOpenatWalk || !LinuxWorkspaceFileSystem.Openat2Works ? LinuxResolveMode.OpenatWalk
                : LinuxResolveMode.Openat2Beneath;
            return LinuxWorkspaceFileSystem.Open(root, mode, exactNames);
        }

        return PortableWorkspaceFileSystem.Open(root, confined, exactNames);
    }

    /// <summary>Creates <paramref name="root"/> if it is missing, readable by its owner only where the system has modes.</summary>
    /// <exception cref="WorkspaceAccessException">It could not be created.</exception>
    protected static void EnsureRoot(string root)
    {
        if (Directory.Exists(root))
        {
            return;
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(root);
            }
            else
            {
                Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WorkspaceErrors.ForRoot(ex, root);
        }
    }
}
