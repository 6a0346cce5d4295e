namespace Hermes.Identity.Sample.Temporary;

/// <summary>
/// TEMPORARY, until IWorkspace lands on main: the bound profile's files under workspaces/&lt;key&gt;/. This
/// stand-in compares full paths, which is weaker than the kernel-confined workspace (symlinks); replace it with
/// <c>IWorkspace</c>, which opens every path beneath the workspace's directory handle.
/// </summary>
public sealed class WorkspaceFiles(TurnContext turn)
{
    /// <summary>The bound profile's workspace folder.</summary>
    public string Root => turn.Profile.Paths.WorkspaceDirectory;

    /// <summary>Reads a file of the workspace, or says why not.</summary>
    public string Read(string path) =>
        Resolve(path) is { } full
            ? File.Exists(full) ? File.ReadAllText(full) : $"No file '{path}' in your workspace."
            : Outside(path);

    /// <summary>Writes a file of the workspace, or says why not.</summary>
    public string Write(string path, string content)
    {
        if (Resolve(path) is not { } full)
        {
            return Outside(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return $"Wrote {content.Length} characters to {path}.";
    }

    private string? Resolve(string path)
    {
        var root = Path.GetFullPath(Root) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(root, path));
        return full.StartsWith(root, StringComparison.Ordinal) ? full : null;
    }

    private string Outside(string path) => $"Refused: '{path}' is outside {turn.Profile.Key}'s workspace.";
}
