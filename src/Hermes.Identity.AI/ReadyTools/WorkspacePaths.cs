namespace Hermes.Identity.AI.ReadyTools;

// How the file tools read a path argument: '.', '', './' and '~' (with '~/' in front of a path) name the workspace
// root, as the current and home folders do for Hermes Agent's tools; everything else goes to IWorkspace as written,
// which refuses what leads outside.
internal static class WorkspacePaths
{
    /// <summary>The path for IWorkspace, or <see langword="null"/> when <paramref name="path"/> names the workspace root.</summary>
    public static string? Resolve(string? path)
    {
        if (path is null)
        {
            return null;
        }

        var trimmed = path.Trim();
        if (trimmed == "~" || trimmed.StartsWith("~/", StringComparison.Ordinal))
        {
            trimmed = trimmed.Length <= 2 ? "." : trimmed[2..];
        }

        if (trimmed.StartsWith('/'))
        {
            return trimmed; // absolute: refused by a confined workspace, never re-rooted here
        }

        return IsDots(trimmed) ? null : trimmed;
    }

    /// <summary>How a path is shown back: the root as '.'.</summary>
    public static string Show(string? path) => path ?? ".";

    // ".", "./", ".//." …: only current-folder names.
    private static bool IsDots(string path)
    {
        foreach (var name in path.Split('/'))
        {
            if (name.Length != 0 && name != ".")
            {
                return false;
            }
        }

        return true;
    }
}
