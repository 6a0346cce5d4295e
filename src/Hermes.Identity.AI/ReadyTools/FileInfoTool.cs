using System.Globalization;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// file_info(path): what is at a path without following a link (lstat); for a link, its text (readlink) and whether it
// leads anywhere the workspace serves.
internal sealed class FileInfoTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "file_info";

    private const string Summary =
        "Describe a file, folder or symbolic link in your workspace: its type, size and last change. A symbolic link is " +
        "described as a link, with the path it points to, not followed.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The file, folder or link, relative to the workspace root ('.' is the root)" }
          },
          "required": ["path"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = WorkspacePaths.Resolve(arguments.Required("path", "what to describe"));
        var result = ToolResult.Success();
        result["path"] = WorkspacePaths.Show(path);
        if (path is null)
        {
            result["type"] = "directory";
            result["entries"] = (await workspace.ListAsync(null, cancellationToken).ConfigureAwait(false)).Count;
            return result.Text();
        }

        var entry = await workspace.GetLinkInfoAsync(path, cancellationToken).ConfigureAwait(false);
        result["type"] = Kind(entry.Kind);
        result["modified"] = entry.LastWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (entry.Kind == WorkspaceEntryKind.File)
        {
            result["size"] = entry.Length;
        }

        if (entry.Kind == WorkspaceEntryKind.SymbolicLink)
        {
            result["link_target"] = await workspace.ReadLinkAsync(path, cancellationToken).ConfigureAwait(false);
            try
            {
                var target = await workspace.GetInfoAsync(path, cancellationToken).ConfigureAwait(false);
                result["points_to"] = Kind(target.Kind);
            }
            catch (WorkspaceAccessException ex)
            {
                result["points_to"] = null;
                result["note"] = ex.Message;
            }
        }

        return result.Text();
    }
}
