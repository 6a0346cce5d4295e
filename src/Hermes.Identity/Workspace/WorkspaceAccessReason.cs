namespace Hermes.Identity.Workspace;

/// <summary>Why a workspace operation was refused or failed.</summary>
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

    /// <summary>The workspace is read-only for this profile's role (no <c>workspace.write</c>).</summary>
    ReadOnly,

    /// <summary>The policy refused the operation.</summary>
    Denied,

    /// <summary>The operating system refused or failed the operation (permissions, disk full, I/O error).</summary>
    FileSystemError,
}
