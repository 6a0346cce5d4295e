namespace Hermes.Identity.Memory;

// The on-disk format of a memory file, the one Hermes Agent's memory tool reads and writes
// (tools/memory_tool.py): UTF-8 without BOM, the entries joined by "\n§\n", no final newline; no entries
// is an empty file. Read as Hermes reads it: line ends made "\n" (as Python's universal newlines do),
// split on "\n§\n", each piece trimmed of whitespace (Python's str.strip set), empty pieces and
// duplicates dropped (the first kept). A BOM and a final newline are tolerated. So a file written by
// either one reads as the same entries in the other, and a canonical file round-trips exactly.
internal static class MemoryEntries
{
    public const string Separator = "§";

    public const string JoinSeparator = "\n§\n";

    // What Python's str.strip() removes: .NET's white space plus the four information separators U+001C-U+001F.
    private static readonly char[] PythonWhitespace = [.. Enumerable.Range(0, 0x3001).Select(c => (char)c).Where(c => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F')];

    public static List<string> Parse(string text)
    {
        var normalized = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var entries = new List<string>();
        if (normalized.AsSpan().Trim(PythonWhitespace).IsEmpty)
        {
            return entries;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var piece in normalized.Split(JoinSeparator))
        {
            var entry = Strip(piece);
            if (entry.Length > 0 && seen.Add(entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    public static string Format(IReadOnlyList<string> entries) => entries.Count == 0 ? "" : Join(entries);

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
        var text = Strip(entry.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'));
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

    // Trims as Python's str.strip() does, so an entry is the same text in both.
    public static string Strip(string text) => text.Trim(PythonWhitespace);

    private static bool IsSeparatorLine(string line) => line.AsSpan().Trim().SequenceEqual(Separator);

}
