namespace Hermes.Identity.Workspace;

/// <summary>Why the file system refused or failed a workspace operation. (A policy refusal is an <see cref="AccessDeniedException"/>, not a reason here.)</summary>
public enum WorkspaceAccessReason
{
    /// <summary>The path is not acceptable as written: empty, <c>.</c>, rooted, or holding NUL, <c>\</c> or <c>:</c>.</summary>
    InvalidPath = 0,

    /// <summary>The path or one of its names is longer than the limit. Nothing is truncated.</summary>
    PathTooLong,

    /// <summary>The path leads outside the workspace, through <c>..</c>, a symbolic link, or a hard link.</summary>
    OutsideWorkspace,

    /// <summary>A symbolic link on the path loops, or symbolic links are not followed on this system.</summary>
    SymbolicLink,

    /// <summary>Nothing exists at the path.</summary>
    NotFound,

    /// <summary>Something already exists at the path.</summary>
    AlreadyExists,

    /// <summary>The path names something other than a regular file (a directory, a FIFO, a device, a socket).</summary>
    NotARegularFile,

    /// <summary>The path, or a part of it, is not a directory.</summary>
    NotADirectory,

    /// <summary>The directory cannot be deleted because it is not empty.</summary>
    DirectoryNotEmpty,

    /// <summary>The file, the content or the listing is larger than the configured limit.</summary>
    TooLarge,

    /// <summary>
    /// The operating system failed the operation for a reason none of the others names (an I/O error, too many open
    /// files, a file in use); the message says which, and whether trying again may help.
    /// </summary>
    FileSystemError,

    /// <summary>
    /// The operating system does not let the host's process do this (<c>EACCES</c>, <c>EPERM</c>: file modes, an
    /// immutable file, a security module). Trying again does not help; the host's operator must change the permissions.
    /// </summary>
    PermissionDenied,

    /// <summary>The disk or the quota is full (<c>ENOSPC</c>, <c>EDQUOT</c>). Deleting files may make room.</summary>
    NoSpace,

    /// <summary>
    /// The file system holding the workspace is mounted read-only (<c>EROFS</c>). Trying again does not help; the
    /// host's operator must remount it. (A role without <c>workspace.write</c> gets an <see cref="AccessDeniedException"/> instead.)
    /// </summary>
    ReadOnlyFileSystem,

    /// <summary>The path names something other than a symbolic link, where only a link can be read (<see cref="IWorkspace.ReadLinkAsync"/>).</summary>
    NotASymbolicLink,
}
