using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// delete_file(path, recursive): a file, a link (never its target), an empty folder, or with recursive a folder and
// everything in it; '.' with recursive empties the whole workspace (the root itself stays).
internal sealed class DeleteFileTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "delete_file";

    private const string Summary =
        "Delete a file, a symbolic link (never what it points to) or an empty folder in your workspace. With " +
        "recursive=true, delete a folder and everything in it; path '.' with recursive=true empties the whole workspace. " +
        "Deleted files cannot be recovered.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file or folder to delete, relative to the workspace root" },
            "recursive": { "type": "boolean", "description": "Also delete everything inside a folder (default: false)", "default": false }
          },
          "required": ["path"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = WorkspacePaths.Resolve(arguments.Required("path", "the file or folder to delete"));
        var recursive = arguments.Bool("recursive", false);
        int deleted;
        if (path is null)
        {
            if (!recursive)
            {
                throw new ToolArgumentException("delete_file: '.' is the workspace root, which is never deleted. To delete everything in it, call delete_file with path '.' and recursive=true.");
            }

            deleted = await workspace.DeleteContentsAsync(null, cancellationToken).ConfigureAwait(false);
        }
        else if (recursive && (await workspace.GetLinkInfoAsync(path, cancellationToken).ConfigureAwait(false)).Kind == WorkspaceEntryKind.Directory)
        {
            deleted = await workspace.DeleteContentsAsync(path, cancellationToken).ConfigureAwait(false);
            await workspace.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            deleted++;
        }
        else
        {
            try
            {
                await workspace.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkspaceAccessException ex) when (ex.Reason == WorkspaceAccessReason.DirectoryNotEmpty)
            {
                throw new ToolArgumentException($"{ex.Message} Or call delete_file with recursive=true to delete it with everything in it.");
            }

            deleted = 1;
        }

        var result = ToolResult.Success();
        result["path"] = WorkspacePaths.Show(path);
        result["deleted"] = deleted;
        return result.Text();
    }
}
