using System.Text;

namespace Hermes.Identity.Memory;

// The on-disk format of a memory file: UTF-8 without BOM, entries separated by a line holding only
// "§", a final newline; no entries is an empty file. Written canonically, read tolerantly (CRLF, a
// BOM, a missing final newline, blank lines around separators), so a canonical file round-trips exactly.
internal static class MemoryEntries
{
    public const string Separator = "§";

    public const string JoinSeparator = "\n§\n";

    public static List<string> Parse(string text)
    {
        var entries = new List<string>();
        var current = new StringBuilder();
        foreach (var rawLine in text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (IsSeparatorLine(rawLine))
            {
                Close(entries, current);
                continue;
            }

            if (current.Length > 0)
            {
                current.Append('\n');
            }

            current.Append(rawLine);
        }

        Close(entries, current);
        return entries;
    }

    public static string Format(IReadOnlyList<string> entries) => entries.Count == 0 ? "" : Join(entries) + "\n";

    public static string Join(IReadOnlyList<string> entries) => string.Join(JoinSeparator, entries);

    // Unicode scalar values, so a CJK character or an emoji counts once; 3 for each separator.
    public static int Measure(IReadOnlyList<string> entries)
    {
        var total = entries.Count > 1 ? (entries.Count - 1) * JoinSeparator.Length : 0;
        foreach (var entry in entries)
        {
            total += CountCharacters(entry);
        }

        return total;
    }

    public static int CountCharacters(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!(char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1])))
            {
                count++;
            }
        }

        return count;
    }

    // Makes a caller's text an entry: line ends normalised, trimmed; refuses what would not round-trip.
    public static string Normalize(string entry, MemoryFile file)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = entry.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim();
        if (text.Length == 0)
        {
            throw new MemoryException($"The entry for {FileName(file)} is empty. Write the fact to remember.");
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new MemoryException($"The entry for {FileName(file)} holds a NUL character. Remove it.");
        }

        if (System.Text.Unicode.Utf8.FromUtf16(text, new byte[text.Length * 3], out _, out _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            throw new MemoryException($"The entry for {FileName(file)} holds a broken character (half of a UTF-16 surrogate pair). Send the text again.");
        }

        foreach (var line in text.Split('\n'))
        {
            if (IsSeparatorLine(line))
            {
                throw new MemoryException(
                    $"The entry for {FileName(file)} has a line holding only '{Separator}', which separates entries in the file. " +
                    "Remove that line, or add the parts as separate entries.");
            }
        }

        return text;
    }

    public static int FindUnique(IReadOnlyList<string> entries, string substring, MemoryFile file)
    {
        if (string.IsNullOrEmpty(substring))
        {
            throw new MemoryEntryMatchException(file, entries.Count, $"Give some text from the entry of {FileName(file)} to change; an empty substring matches every entry.");
        }

        var found = -1;
        var count = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Contains(substring, StringComparison.Ordinal))
            {
                found = i;
                count++;
            }
        }

        return count switch
        {
            1 => found,
            0 => throw new MemoryEntryMatchException(file, 0,
                $"No entry in {FileName(file)} contains \"{substring}\" (it has {entries.Count} entries; matching is exact and case-sensitive). " +
                "Copy a few words exactly from the entry you mean."),
            _ => throw new MemoryEntryMatchException(file, count,
                $"{count} entries in {FileName(file)} contain \"{substring}\", so it is not clear which one you mean. " +
                "Use a longer piece of text that only that entry contains."),
        };
    }

    public static string FileName(MemoryFile file) => file switch
    {
        MemoryFile.Notes => "MEMORY.md",
        MemoryFile.User => "USER.md",
        _ => "the shared MEMORY.md",
    };

    private static bool IsSeparatorLine(string line) => line.AsSpan().Trim().SequenceEqual(Separator);

    private static void Close(List<string> entries, StringBuilder current)
    {
        var entry = current.ToString().Trim();
        current.Clear();
        if (entry.Length > 0)
        {
            entries.Add(entry);
        }
    }
}
