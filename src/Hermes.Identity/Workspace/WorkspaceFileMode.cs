namespace Hermes.Identity.Workspace;

// How WorkspaceFileSystem.OpenFile opens a file.
internal enum WorkspaceFileMode
{
    /// <summary>Read an existing file.</summary>
    Read,

    /// <summary>Create the file, failing if anything exists at the path.</summary>
    CreateNew,

    /// <summary>Create the file, or truncate it if it exists.</summary>
    CreateOrTruncate,

    /// <summary>Create the file, or open it as it is to write at its end.</summary>
    Append,
}
