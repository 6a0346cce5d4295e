using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// move_file(source, destination, overwrite): moves or renames within the workspace; never replaces unless asked.
internal sealed class MoveFileTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "move_file";

    private const string Summary =
        "Move or rename a file or folder within your workspace (a folder moves with everything in it). The destination's " +
        "folder is created if missing. An existing destination is not replaced unless overwrite=true.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "source": { "type": "string", "description": "The file or folder to move, relative to the workspace root" },
            "destination": { "type": "string", "description": "Its new path, relative to the workspace root" },
            "overwrite": { "type": "boolean", "description": "Replace an existing file (or empty folder) at the destination (default: false)", "default": false }
          },
          "required": ["source", "destination"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var source = NotRoot(Name, "source", WorkspacePaths.Resolve(arguments.Required("source", "the file or folder to move")));
        var destination = NotRoot(Name, "destination", WorkspacePaths.Resolve(arguments.Required("destination", "the new path")));
        var overwrite = arguments.Bool("overwrite", false);
        if (Parent(destination) is { } parent)
        {
            await workspace.CreateDirectoryAsync(parent, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await workspace.MoveAsync(source, destination, overwrite, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkspaceAccessException ex) when (ex.Reason == WorkspaceAccessReason.AlreadyExists && !overwrite)
        {
            throw new ToolArgumentException($"{ex.Message} Nothing was moved; call move_file with overwrite=true to replace it, or choose another destination.");
        }

        var result = ToolResult.Success();
        result["source"] = source;
        result["destination"] = destination;
        return result.Text();
    }
}
