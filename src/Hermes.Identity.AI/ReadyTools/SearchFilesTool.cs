using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Identity.Workspace;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's search_files(pattern, target, path, file_glob, limit, offset, output_mode, context), over the workspace
// through IWorkspace: target 'content' is a regular expression searched line by line, target 'files' a glob on file names.
// Symbolic links are not followed; files the workspace refuses (too large, hard-linked, binary) are skipped and counted.
internal sealed class SearchFilesTool() : FileTool(ToolName, Summary, Schema)
{
    public const string ToolName = "search_files";

    private const int MaxFiles = 5_000;
    private const int MaxDepth = 32;
    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromSeconds(2);

    private const string Summary =
        "Search file contents or find files by name in your workspace.\n\n" +
        "Content search (target='content'): regex search inside files. Output modes: full matches with line numbers, file " +
        "paths only, or match counts.\n\nFile search (target='files'): find files by glob pattern (e.g., '*.md', '*config*'), " +
        "newest first. Symbolic links are not followed.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "pattern": { "type": "string", "description": "Regex pattern for content search, or glob pattern (e.g., '*.py') for file search" },
            "target": { "type": "string", "enum": ["content", "files"], "description": "'content' searches inside file contents, 'files' searches for files by name", "default": "content" },
            "path": { "type": "string", "description": "Directory or file to search in, relative to the workspace root (default: '.', the root)", "default": "." },
            "file_glob": { "type": "string", "description": "Filter files by pattern in content search (e.g., '*.md' to only search Markdown files)" },
            "limit": { "type": "integer", "description": "Maximum number of results to return (default: 50)", "default": 50 },
            "offset": { "type": "integer", "description": "Skip first N results for pagination (default: 0)", "default": 0 },
            "output_mode": { "type": "string", "enum": ["content", "files_only", "count"], "description": "Output format for content search: 'content' shows matching lines with line numbers, 'files_only' lists file paths, 'count' shows match counts per file", "default": "content" },
            "context": { "type": "integer", "description": "Number of context lines before and after each match (content search only)", "default": 0 }
          },
          "required": ["pattern"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IWorkspace workspace, CancellationToken cancellationToken)
    {
        var pattern = arguments.Required("pattern", "what to search for");
        var target = (arguments.String("target") ?? "content").Trim().ToLowerInvariant() switch
        {
            "content" or "grep" => "content",
            "files" or "find" => "files",
            var other => throw new ToolArgumentException($"search_files: target '{other}' is not known; use 'content' or 'files'."),
        };
        var path = WorkspacePaths.Resolve(arguments.String("path") ?? ".");
        var limit = arguments.Int("limit", 50, 1, 500);
        var offset = arguments.Int("offset", 0, 0, int.MaxValue);
        var mode = (arguments.String("output_mode") ?? "content").Trim().ToLowerInvariant();
        if (mode is not ("content" or "files_only" or "count"))
        {
            throw new ToolArgumentException($"search_files: output_mode '{mode}' is not known; use 'content', 'files_only' or 'count'.");
        }

        var context = arguments.Int("context", 0, 0, 10);
        var glob = arguments.String("file_glob") is { Length: > 0 } g ? Glob(g) : null;
        var walk = await WalkAsync(workspace, path, cancellationToken).ConfigureAwait(false);
        var result = ToolResult.Success();
        result["target"] = target;
        result["path"] = WorkspacePaths.Show(path);
        if (target == "files")
        {
            var names = Glob(pattern);
            var found = walk.Files.Where(f => names.IsMatch(pattern.Contains('/', StringComparison.Ordinal) ? f.Path : f.Name))
                .OrderByDescending(f => f.LastWriteTime).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
            Page(result, "files", found.Select(f => (JsonNode)f.Path!).ToList(), offset, limit);
        }
        else
        {
            var regex = Regex(pattern);
            var skipped = 0;
            var matches = new List<JsonNode>();
            foreach (var file in walk.Files)
            {
                if (glob is not null && !glob.IsMatch(file.Name))
                {
                    continue;
                }

                string text;
                try
                {
                    text = await workspace.ReadAllTextAsync(file.Path, cancellationToken).ConfigureAwait(false);
                }
                catch (WorkspaceAccessException)
                {
                    skipped++;
                    continue;
                }

                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    skipped++;
                    continue;
                }

                Search(file.Path, text, regex, mode, context, matches);
            }

            Page(result, mode == "content" ? "matches" : mode == "count" ? "counts" : "files", matches, offset, limit);
            if (skipped > 0)
            {
                result["skipped_files"] = skipped;
            }
        }

        if (walk.Capped)
        {
            result["note"] = $"Only the first {MaxFiles:N0} files (or {MaxDepth} folder levels) were searched; search a folder further down.";
        }

        return result.Text();
    }

    private static void Search(string path, string text, Regex regex, string mode, int context, List<JsonNode> matches)
    {
        var lines = text.Split('\n');
        var count = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            bool hit;
            try
            {
                hit = regex.IsMatch(line);
            }
            catch (RegexMatchTimeoutException)
            {
                throw new ToolArgumentException("search_files: the pattern took too long to match (it backtracks too much). Use a simpler regular expression.");
            }

            if (!hit)
            {
                continue;
            }

            count++;
            if (mode != "content")
            {
                continue;
            }

            var match = new JsonObject { ["path"] = path, ["line"] = i + 1, ["content"] = line };
            if (context > 0)
            {
                var around = new StringBuilder();
                for (var j = Math.Max(0, i - context); j <= Math.Min(lines.Length - 1, i + context); j++)
                {
                    around.Append(j + 1).Append(j == i ? ':' : '-').Append(lines[j].TrimEnd('\r')).Append('\n');
                }

                match["context"] = around.ToString();
            }

            matches.Add((JsonNode)match);
        }

        if (count > 0 && mode == "files_only")
        {
            matches.Add(JsonValue.Create(path));
        }
        else if (count > 0 && mode == "count")
        {
            matches.Add((JsonNode)new JsonObject { ["path"] = path, ["count"] = count });
        }
    }

    private static void Page(JsonObject result, string name, List<JsonNode> all, int offset, int limit)
    {
        var page = new JsonArray();
        foreach (var item in all.Skip(offset).Take(limit))
        {
            page.Add(item);
        }

        result[name] = page;
        result["total_count"] = all.Count;
        if (offset + limit < all.Count)
        {
            result["truncated"] = true;
            result["hint"] = $"Results truncated. Use offset={offset + limit} to see more, or narrow with a more specific pattern or file_glob.";
        }
    }

    private sealed record FileFound(string Path, string Name, DateTimeOffset LastWriteTime);

    private sealed record Walk(List<FileFound> Files, bool Capped);

    // The regular files under path (or path itself), breadth first; links are not followed.
    private static async ValueTask<Walk> WalkAsync(IWorkspace workspace, string? path, CancellationToken cancellationToken)
    {
        var files = new List<FileFound>();
        if (path is not null)
        {
            var entry = await workspace.GetLinkInfoAsync(path, cancellationToken).ConfigureAwait(false);
            if (entry.Kind == WorkspaceEntryKind.File)
            {
                files.Add(new FileFound(entry.Path, FileName(entry.Path), entry.LastWriteTime));
                return new Walk(files, false);
            }

            if (entry.Kind != WorkspaceEntryKind.Directory)
            {
                throw new ToolArgumentException($"search_files: '{path}' is a {(entry.Kind == WorkspaceEntryKind.SymbolicLink ? "symbolic link" : "special file")}; search a folder or a regular file.");
            }
        }

        var folders = new Queue<(string? Path, int Depth)>();
        folders.Enqueue((path, 0));
        var capped = false;
        while (folders.TryDequeue(out var folder))
        {
            foreach (var entry in await workspace.ListAsync(folder.Path, cancellationToken).ConfigureAwait(false))
            {
                if (entry.Kind == WorkspaceEntryKind.File)
                {
                    if (files.Count == MaxFiles)
                    {
                        return new Walk(files, true);
                    }

                    files.Add(new FileFound(entry.Path, FileName(entry.Path), entry.LastWriteTime));
                }
                else if (entry.Kind == WorkspaceEntryKind.Directory)
                {
                    if (folder.Depth + 1 < MaxDepth)
                    {
                        folders.Enqueue((entry.Path, folder.Depth + 1));
                    }
                    else
                    {
                        capped = true;
                    }
                }
            }
        }

        return new Walk(files, capped);
    }

    private static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private static Regex Regex(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, s_regexTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new ToolArgumentException($"search_files: '{pattern}' is not a valid regular expression ({ex.Message}).");
        }
    }

    // A glob ('*', '?', '**', '[abc]') as an anchored regular expression.
    private static Regex Glob(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else if (c == '[' && glob.IndexOf(']', i + 1) is var end && end > i + 1)
            {
                regex.Append('[').Append(glob.AsSpan(i + 1, end - i - 1).ToString().Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                i = end;
            }
            else
            {
                regex.Append(System.Text.RegularExpressions.Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant, s_regexTimeout);
    }
}
