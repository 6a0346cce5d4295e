namespace Hermes.Identity.Workspace;

/// <summary>A file or directory in the workspace.</summary>
/// <param name="Path">The path relative to the workspace root, with <c>/</c> separators, as the caller named it.</param>
/// <param name="Kind">What the entry is.</param>
/// <param name="Length">The size in bytes of a regular file; 0 for anything else.</param>
/// <param name="LastWriteTime">When the content last changed.</param>
public sealed record WorkspaceEntry(string Path, WorkspaceEntryKind Kind, long Length, DateTimeOffset LastWriteTime)
{
    /// <summary>The last name of <see cref="Path"/>.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];
}
