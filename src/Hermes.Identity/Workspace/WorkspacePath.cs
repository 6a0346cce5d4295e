using System.Globalization;
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

    // With globalization-invariant mode on (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT, the default in some
    // container images) string.Normalize silently does nothing; then paths that might change are refused.
    private static readonly bool s_canNormalize = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00e9";

    // Characters that NFC replaces even alone (singletons such as U+212B ANGSTROM SIGN, and composition
    // exclusions such as U+0958): Unicode's NFC_Quick_Check=No, less the combining marks, which are refused
    // by category. A test checks this table against the ICU normaliser over every code point.
    private static readonly (int First, int Last)[] s_replacedByNfc =
    [
        (0x0374, 0x0374), (0x037E, 0x037E), (0x0387, 0x0387), (0x0958, 0x095F), (0x09DC, 0x09DD), (0x09DF, 0x09DF),
        (0x0A33, 0x0A33), (0x0A36, 0x0A36), (0x0A59, 0x0A5B), (0x0A5E, 0x0A5E), (0x0B5C, 0x0B5D), (0x0F43, 0x0F43),
        (0x0F4D, 0x0F4D), (0x0F52, 0x0F52), (0x0F57, 0x0F57), (0x0F5C, 0x0F5C), (0x0F69, 0x0F69), (0x1F71, 0x1F71),
        (0x1F73, 0x1F73), (0x1F75, 0x1F75), (0x1F77, 0x1F77), (0x1F79, 0x1F79), (0x1F7B, 0x1F7B), (0x1F7D, 0x1F7D),
        (0x1FBB, 0x1FBB), (0x1FBE, 0x1FBE), (0x1FC9, 0x1FC9), (0x1FCB, 0x1FCB), (0x1FD3, 0x1FD3), (0x1FDB, 0x1FDB),
        (0x1FE3, 0x1FE3), (0x1FEB, 0x1FEB), (0x1FEE, 0x1FEF), (0x1FF9, 0x1FF9), (0x1FFB, 0x1FFB), (0x1FFD, 0x1FFD),
        (0x2000, 0x2001), (0x2126, 0x2126), (0x212A, 0x212B), (0x2329, 0x232A), (0x2ADC, 0x2ADC), (0xF900, 0xFA0D),
        (0xFA10, 0xFA10), (0xFA12, 0xFA12), (0xFA15, 0xFA1E), (0xFA20, 0xFA20), (0xFA22, 0xFA22), (0xFA25, 0xFA26),
        (0xFA2A, 0xFA6D), (0xFA70, 0xFAD9), (0xFB1D, 0xFB1D), (0xFB1F, 0xFB1F), (0xFB2A, 0xFB36), (0xFB38, 0xFB3C),
        (0xFB3E, 0xFB3E), (0xFB40, 0xFB41), (0xFB43, 0xFB44), (0xFB46, 0xFB4E), (0x1D15E, 0x1D164), (0x1D1BB, 0x1D1C0),
        (0x2F800, 0x2FA1D),
    ];

    /// <summary>
    /// Checks <paramref name="path"/> and returns it as the file system will be given it: in Unicode NFC, so the
    /// policy and the kernel see the same name for <c>café</c> however it was typed. Throws
    /// <see cref="WorkspaceAccessException"/> unless the path may be handed to the file system.
    /// </summary>
    /// <param name="path">The path as the caller wrote it.</param>
    /// <param name="confined">Whether the workspace is confined: rooted paths, <c>\</c> and <c>:</c> are refused only then.</param>
    /// <param name="normalize">False to keep the names exactly as given (names read back from a listing, for export and erasure).</param>
    public static string Validate(string path, bool confined, bool normalize = true)
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

        if (!IsValidUtf16(path))
        {
            throw Invalid("The path is not valid Unicode (it holds half of a surrogate pair), so it has no file name to give the file system. Spell the name again.");
        }

        if (normalize)
        {
            path = ToNfc(path, s_canNormalize);
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

        return path;
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

    /// <summary><paramref name="path"/> in NFC. Without a normaliser, refuses a path NFC might change instead.</summary>
    internal static string ToNfc(string path, bool canNormalize)
    {
        if (Ascii.IsValid(path))
        {
            return path;
        }

        if (canNormalize)
        {
            try
            {
                return path.IsNormalized(NormalizationForm.FormC) ? path : path.Normalize(NormalizationForm.FormC);
            }
            catch (ArgumentException)
            {
                // .NET refuses to normalise U+FFFE (a noncharacter) as well as broken surrogate pairs.
                throw Invalid("The path holds a character that is not valid in Unicode text (such as U+FFFE), so it has no file name to give the file system. Spell the name again.");
            }
        }

        foreach (var rune in path.EnumerateRunes())
        {
            if (!IsStableUnderNfc(rune))
            {
                throw Invalid(
                    $"The path holds U+{rune.Value:X4}, which Unicode normalisation could change, and this host cannot normalise " +
                    "(it runs in .NET's globalization-invariant mode). Use a name without combining accents (é as one character); " +
                    "the host's operator can turn invariant mode off to allow it.");
            }
        }

        return path;
    }

    /// <summary>Whether <paramref name="rune"/> is in NFC whatever surrounds it: not a mark or conjoining jamo that
    /// could combine with the character before it, not a character NFC replaces, not unassigned.</summary>
    internal static bool IsStableUnderNfc(Rune rune)
    {
        var value = rune.Value;
        if (value < 0x80)
        {
            return true;
        }

        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.EnclosingMark or UnicodeCategory.OtherNotAssigned)
        {
            return false;
        }

        if (value is (>= 0x1100 and <= 0x11FF) or (>= 0xA960 and <= 0xA97F) or (>= 0xD7B0 and <= 0xD7FF))
        {
            return false;
        }

        foreach (var (first, last) in s_replacedByNfc)
        {
            if (value < first)
            {
                return true;
            }

            if (value <= last)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (!char.IsHighSurrogate(text[i]) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
            {
                return false;
            }

            i++;
        }

        return true;
    }

    private static WorkspaceAccessException Invalid(string message) => new(WorkspaceAccessReason.InvalidPath, message);
}
