using System.Text;

namespace Hermes.Identity.Workspace;

// Checks a path as written, before the kernel sees it. These checks catch what is malformed or
// ambiguous across systems; they are not the confinement: the kernel resolves the path from the
// root's handle and refuses anything that leaves it.
internal static class WorkspacePath
{
    /// <summary>Linux PATH_MAX less the terminating NUL, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4095;

    /// <summary>NAME_MAX, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    private const int MaxShownChars = 120;

    /// <summary>Throws <see cref="WorkspaceAccessException"/> unless <paramref name="path"/> may be handed to the file system.</summary>
    /// <param name="path">The path as the caller wrote it.</param>
    /// <param name="confined">Whether the workspace is confined: rooted paths, <c>\</c> and <c>:</c> are refused only then.</param>
    public static void Validate(string path, bool confined)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw Invalid("The path is empty. Name a file relative to the workspace root, such as notes/todo.md.");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid("The path contains a NUL character, which no file name can hold.");
        }

        foreach (var c in path)
        {
            if (char.IsControl(c))
            {
                throw Invalid("The path contains a control character (such as a newline or a tab); file names here cannot hold them.");
            }
        }

        // Checked before anything echoes the path back, so a huge path is never copied into a message.
        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > MaxPathBytes)
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.PathTooLong, $"The path is {bytes:N0} bytes long (UTF-8); the limit is {MaxPathBytes:N0}. Use a shorter path; nothing was truncated.");
        }

        if (confined)
        {
            if (path[0] == '/')
            {
                throw Invalid($"{Show(path)} is an absolute path. Name the file relative to the workspace root, such as notes/todo.md; absolute paths are refused, never re-rooted.");
            }

            if (path.Contains('\\', StringComparison.Ordinal))
            {
                throw Invalid($"{Show(path)} contains '\\'. Use '/' to separate folders; '\\' is refused because on Windows it separates folders too.");
            }

            if (path.Contains(':', StringComparison.Ordinal))
            {
                throw Invalid($"{Show(path)} contains ':'. File names here cannot hold ':' (on Windows it names a drive or a hidden stream).");
            }
        }

        var namesRoot = true;
        foreach (var range in path.AsSpan().Split('/'))
        {
            var name = path.AsSpan(range);
            if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            {
                throw new WorkspaceAccessException(WorkspaceAccessReason.PathTooLong, $"A name in the path is longer than {MaxNameBytes} bytes (UTF-8). Use shorter names; nothing was truncated.");
            }

            namesRoot &= name.Length == 0 || name is ".";
        }

        if (namesRoot && path[0] != '/')
        {
            throw Invalid($"{Show(path)} names the workspace root itself, not a file or folder in it.");
        }
    }

    /// <summary>The path's names, without empty and <c>.</c> names.</summary>
    public static List<string> Names(string path)
    {
        var names = new List<string>();
        foreach (var range in path.AsSpan().Split('/'))
        {
            var name = path.AsSpan(range);
            if (name.Length > 0 && name is not ".")
            {
                names.Add(name.ToString());
            }
        }

        return names;
    }

    /// <summary>Splits a path into its parent (empty for the root) and its last name.</summary>
    public static (string Parent, string Name) Split(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        var name = slash < 0 ? trimmed : trimmed[(slash + 1)..];
        if (name.Length == 0 || name is "." or "..")
        {
            throw Invalid($"{Show(path)} does not end in a file or folder name.");
        }

        return (slash < 0 ? string.Empty : slash == 0 ? "/" : trimmed[..slash], name);
    }

    /// <summary>The path quoted for a message: shortened when long. Control characters never get this far.</summary>
    public static string Show(string path) =>
        path.Length <= MaxShownChars ? $"'{path}'" : $"'{path[..MaxShownChars]}…' ({path.Length:N0} characters)";

    private static WorkspaceAccessException Invalid(string message) => new(WorkspaceAccessReason.InvalidPath, message);
}
