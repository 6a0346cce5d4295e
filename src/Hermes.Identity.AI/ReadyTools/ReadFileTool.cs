using System.Globalization;
using System.Text;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's read_file(path, offset, limit): lines numbered "N|text", offset 1-based, at most 2,000 lines and
// 100,000 characters a call.
internal sealed class ReadFileTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "read_file";

    private const int MaxChars = 100_000;

    private const string Summary =
        "Read a text file in your workspace with line numbers and pagination. Output format: 'LINE_NUM|CONTENT'. " +
        "Use offset and limit for large files; a read returns at most 100,000 characters. Paths are relative to the " +
        "workspace root ('.'). Cannot read binary files.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "description": "Path to the file to read, relative to the workspace root" },
            "offset": { "type": "integer", "description": "Line number to start reading from (1-indexed, default: 1)", "default": 1, "minimum": 1 },
            "limit": { "type": "integer", "description": "Maximum number of lines to read (default: 500, max: 2000)", "default": 500, "maximum": 2000 }
          },
          "required": ["path"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var path = NotRoot(Name, "path", WorkspacePaths.Resolve(arguments.Required("path", "the file to read")));
        var offset = arguments.Int("offset", 1, 1, int.MaxValue);
        var limit = arguments.Int("limit", 500, 1, 2000);
        var text = await workspace.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ToolArgumentException($"read_file: '{path}' is a binary file, not text; it cannot be shown.");
        }

        var lines = text.Split('\n');
        var total = text.Length == 0 ? 0 : text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        var content = new StringBuilder();
        var shown = 0;
        var truncated = false;
        for (var i = offset - 1; i < total && shown < limit; i++)
        {
            var line = string.Create(CultureInfo.InvariantCulture, $"{i + 1,6}|{lines[i].TrimEnd('\r')}\n");
            if (content.Length + line.Length > MaxChars)
            {
                truncated = true;
                break;
            }

            content.Append(line);
            shown++;
        }

        var result = ToolResult.Success();
        result["path"] = path;
        result["content"] = content.ToString();
        result["total_lines"] = total;
        result["offset"] = offset;
        result["lines_returned"] = shown;
        var next = offset + shown;
        if (next <= total)
        {
            result["truncated"] = true;
            result["hint"] = truncated
                ? $"The read stopped at 100,000 characters. Use offset={next} to read on."
                : $"More lines follow. Use offset={next} to read on.";
        }
        else if (offset > total && total > 0)
        {
            result["hint"] = $"The file has {total} lines; offset {offset} is past its end.";
        }

        return result.Text();
    }
}
