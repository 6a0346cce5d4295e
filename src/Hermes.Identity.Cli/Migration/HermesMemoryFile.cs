namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// A Hermes memory file (memories/MEMORY.md or USER.md): entries joined by "\n§\n" with no final newline. Hermes drops
/// duplicate entries when it loads the file, and so does this reader (the first one stays). An entry that would take the
/// file over Hermes's limit (2,200 characters for MEMORY.md, 1,375 for USER.md, counting the separators) is reported.
/// </summary>
internal sealed record HermesMemoryFile(string Path, IReadOnlyList<string> Entries, int DuplicatesDropped, IReadOnlyList<string> OverLimit, int Limit)
{
    public const string Separator = "\n§\n";
    public const int NotesLimit = 2_200;
    public const int UserLimit = 1_375;

    public static HermesMemoryFile Read(string path, int limit)
    {
        if (!File.Exists(path))
        {
            return new HermesMemoryFile(path, [], 0, [], limit);
        }

        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<string>();
        var over = new List<string>();
        var duplicates = 0;
        var used = 0;
        foreach (var raw in text.Split(Separator))
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (!seen.Add(entry))
            {
                duplicates++;
                continue;
            }

            var cost = entry.Length + (kept.Count > 0 ? Separator.Length : 0);
            if (used + cost > limit)
            {
                over.Add(entry);
                continue;
            }

            used += cost;
            kept.Add(entry);
        }

        return new HermesMemoryFile(path, kept, duplicates, over, limit);
    }
}
