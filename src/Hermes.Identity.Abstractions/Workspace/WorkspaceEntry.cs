namespace Hermes.Identity.Workspace;

/// <summary>A file or directory in the workspace.</summary>
public sealed class WorkspaceEntry
{
    internal WorkspaceEntry(string path, WorkspaceEntryKind kind, long length, DateTimeOffset lastWriteTime)
    {
        Path = path;
        Kind = kind;
        Length = length;
        LastWriteTime = lastWriteTime;
    }

    /// <summary>The path relative to the workspace root, with <c>/</c> separators, as the caller named it.</summary>
    public string Path { get; }

    internal string Name => Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>What the entry is.</summary>
    public WorkspaceEntryKind Kind { get; }

    /// <summary>The size in bytes of a regular file; 0 for anything else.</summary>
    public long Length { get; }

    /// <summary>When the content last changed.</summary>
    public DateTimeOffset LastWriteTime { get; }
}
