using System.Text.Json.Nodes;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// list_files(path): one folder's entries, links shown as links and not followed.
internal sealed class ListFilesTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "list_files";

    private const string Summary =
        "List the files and folders in a folder of your workspace ('.' is the workspace root), sorted by name, with their " +
        "type (file, directory, symlink), size and last change. Symbolic links are listed, not followed.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "The folder to list, relative to the workspace root (default: '.', the root)", "default": "." }
          }
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = WorkspacePaths.Resolve(arguments.String("path") ?? ".");
        var entries = await workspace.ListAsync(path, cancellationToken).ConfigureAwait(false);
        var list = new JsonArray();
        foreach (var entry in entries)
        {
            var item = new JsonObject
            {
                ["path"] = entry.Path,
                ["type"] = Kind(entry.Kind),
                ["modified"] = entry.LastWriteTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (entry.Kind == WorkspaceEntryKind.File)
            {
                item["size"] = entry.Length;
            }

            list.Add((JsonNode)item);
        }

        var result = ToolResult.Success();
        result["path"] = WorkspacePaths.Show(path);
        result["entries"] = list;
        result["count"] = entries.Count;
        return result.Text();
    }
}
