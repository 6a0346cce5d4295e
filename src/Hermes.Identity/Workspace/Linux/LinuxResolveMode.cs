namespace Hermes.Identity.Workspace;

// How LinuxWorkspaceFileSystem resolves a path from the root's handle.
internal enum LinuxResolveMode
{
    /// <summary>openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS: the kernel refuses any escape, symbolic links inside are followed.</summary>
    Openat2Beneath,

    /// <summary>Where openat2 is missing or blocked: openat(O_NOFOLLOW) one name at a time; '..' and every symbolic link refused.</summary>
    OpenatWalk,

    /// <summary>An unrestricted role: plain openat from the root, absolute paths and '..' allowed.</summary>
    Unconfined,
}
