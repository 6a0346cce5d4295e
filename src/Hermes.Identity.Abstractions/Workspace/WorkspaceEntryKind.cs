namespace Hermes.Identity.Workspace;

/// <summary>What a workspace entry is.</summary>
public enum WorkspaceEntryKind
{
    /// <summary>A regular file.</summary>
    File = 0,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link, as listed (not followed).</summary>
    SymbolicLink,

    /// <summary>Anything else (FIFO, socket, device). Never served.</summary>
    Other,
}
