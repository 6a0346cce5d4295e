using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// A file tool: works on the turn's profile's IWorkspace, which validates every path, asks the policy
// (workspace.read / workspace.write) and is confined by the kernel. '.' is the workspace root.
internal abstract class FileTool(string name, string description, string schema) : ReadyTool(name, description, schema)
{
    protected sealed override ValueTask<string> RunAsync(ToolArguments arguments, IServiceProvider services, CancellationToken cancellationToken) =>
        RunAsync(arguments, Service<IWorkspace>(services, "workspace"), cancellationToken);

    protected abstract ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken);

    /// <summary>The kind of an entry as the tools name it.</summary>
    protected static string Kind(WorkspaceEntryKind kind) => kind switch
    {
        WorkspaceEntryKind.File => "file",
        WorkspaceEntryKind.Directory => "directory",
        WorkspaceEntryKind.SymbolicLink => "symlink",
        _ => "other",
    };

    /// <summary>The parent folder of <paramref name="path"/>, or <see langword="null"/> for the root.</summary>
    protected static string? Parent(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? null : trimmed[..slash];
    }

    /// <summary>A path argument that must name a file or folder, not the root.</summary>
    protected static string NotRoot(string tool, string argument, string? path) =>
        path ?? throw new ToolArgumentException($"{tool}: '{argument}' names the workspace root itself; name a file or folder in it, such as notes/todo.md.");
}
