using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's patch in its replace mode: patch(path, old_string, new_string, replace_all). The match is exact (ordinal);
// old_string must occur once unless replace_all. The V4A 'patch' mode is refused with a result saying to use replace.
internal sealed class PatchTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "patch";

    private const string Summary =
        "Targeted find-and-replace edit in a file in your workspace. Finds old_string exactly (it must occur once unless " +
        "replace_all=true; include surrounding lines to make it unique) and replaces it with new_string. Pass an empty " +
        "new_string to delete the matched text.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "mode": { "type": "string", "enum": ["replace"], "description": "Edit mode. Only 'replace' (the default) is available: path + old_string + new_string.", "default": "replace" },
            "path": { "type": "string", "description": "File path to edit, relative to the workspace root." },
            "old_string": { "type": "string", "description": "Exact text to find and replace. Must be unique in the file unless replace_all=true. Include surrounding context lines to ensure uniqueness." },
            "new_string": { "type": "string", "description": "Replacement text. Pass empty string '' to delete the matched text." },
            "replace_all": { "type": "boolean", "description": "Replace all occurrences instead of requiring a unique match (default: false)", "default": false }
          },
          "required": ["path", "old_string", "new_string"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var mode = (arguments.String("mode") ?? "replace").Trim().ToLowerInvariant();
        if (mode != "replace")
        {
            throw new ToolArgumentException($"patch: mode '{mode}' is not available here (V4A patches are not supported). Use mode='replace' with path, old_string and new_string, once per change, or write_file for a whole file.");
        }

        var path = NotRoot(Name, "path", WorkspacePaths.Resolve(arguments.Required("path", "the file to edit")));
        var oldString = arguments.Required("old_string", "the exact text to replace");
        var newString = arguments.String("new_string") ?? throw new ToolArgumentException("patch: 'new_string' is missing; pass '' to delete the matched text.");
        var replaceAll = arguments.Bool("replace_all", false);
        if (oldString.Length == 0)
        {
            throw new ToolArgumentException("patch: 'old_string' is empty; it must be text that occurs in the file.");
        }

        var text = await workspace.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var count = Count(text, oldString);
        if (count == 0)
        {
            var hint = text.Replace("\r\n", "\n", StringComparison.Ordinal).Contains(oldString.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal)
                ? " It does occur if line endings are ignored: the file uses \\r\\n."
                : string.Empty;
            throw new ToolArgumentException($"patch: could not find old_string in '{path}'; nothing was changed.{hint} Use read_file to see the current content, then retry with text copied from it.");
        }

        if (count > 1 && !replaceAll)
        {
            throw new ToolArgumentException($"patch: old_string occurs {count} times in '{path}'; nothing was changed. Include more surrounding lines so it occurs once, or set replace_all=true.");
        }

        var updated = replaceAll ? text.Replace(oldString, newString, StringComparison.Ordinal) : ReplaceFirst(text, oldString, newString);
        await workspace.WriteAllTextAsync(path, updated, overwrite: true, cancellationToken).ConfigureAwait(false);
        var result = ToolResult.Success();
        result["path"] = path;
        result["replacements"] = replaceAll ? count : 1;
        return result.Text();
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string ReplaceFirst(string text, string oldString, string newString)
    {
        var at = text.IndexOf(oldString, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, at), newString, text.AsSpan(at + oldString.Length));
    }
}
