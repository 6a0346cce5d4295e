using System.Text;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// append_file(path, content): adds at the end of a file, creating it and its folders.
internal sealed class AppendFileTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "append_file";

    private const string Summary =
        "Add content at the end of a file in your workspace, creating the file and its folders if needed. Nothing already " +
        "in the file changes. Include a trailing newline if the next addition should start on a new line.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "Path to the file, relative to the workspace root" },
            "content": { "type": "string", "description": "The text to add at the end of the file" }
          },
          "required": ["path", "content"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = NotRoot(Name, "path", WorkspacePaths.Resolve(arguments.Required("path", "the file to add to")));
        var content = arguments.Required("content", "the text to add");
        if (Parent(path) is { } parent)
        {
            await workspace.CreateDirectoryAsync(parent, cancellationToken).ConfigureAwait(false);
        }

        var bytes = Encoding.UTF8.GetBytes(content);
        await workspace.AppendAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        var result = ToolResult.Success();
        result["path"] = path;
        result["bytes_appended"] = bytes.Length;
        return result.Text();
    }
}
