using System.Text;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's write_file(path, content): replaces the whole file, creating it and its folders.
internal sealed class WriteFileTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "write_file";

    private const string Summary =
        "Write content to a file in your workspace, completely replacing what it held. Creates the file and its folders " +
        "if needed. Use 'patch' for targeted edits and 'append_file' to add at the end.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "Path to the file to write, relative to the workspace root (created if it doesn't exist, overwritten if it does)" },
            "content": { "type": "string", "description": "Complete content to write to the file" }
          },
          "required": ["path", "content"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = NotRoot(Name, "path", WorkspacePaths.Resolve(arguments.Required("path", "the file to write")));
        var content = arguments.Required("content", "the complete new content of the file");
        if (Parent(path) is { } parent)
        {
            await workspace.CreateDirectoryAsync(parent, cancellationToken).ConfigureAwait(false);
        }

        var bytes = Encoding.UTF8.GetBytes(content);
        await workspace.WriteAllBytesAsync(path, bytes, overwrite: true, cancellationToken).ConfigureAwait(false);
        var result = ToolResult.Success();
        result["path"] = path;
        result["bytes_written"] = bytes.Length;
        return result.Text();
    }
}
