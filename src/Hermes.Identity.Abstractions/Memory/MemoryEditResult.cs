namespace Hermes.Identity.Memory;

/// <summary>A memory file after an edit: its entries and how much of its limit they use.</summary>
public sealed class MemoryEditResult
{
    internal MemoryEditResult(MemoryFile file, IReadOnlyList<string> entries, int used, int limit, bool changed)
    {
        File = file;
        Entries = entries;
        Used = used;
        Limit = limit;
        Changed = changed;
    }

    internal MemoryFile File { get; }

    /// <summary>The file's entries after the edit.</summary>
    public IReadOnlyList<string> Entries { get; }

    internal int Used { get; }

    /// <summary>The file's limit in characters.</summary>
    public int Limit { get; }

    /// <summary>Characters left before the limit.</summary>
    public int Remaining => Math.Max(0, Limit - Used);

    /// <summary>Whether the file changed; false when an added entry was already there.</summary>
    public bool Changed { get; }

    /// <summary>A short summary a tool can return to the model, such as <c>MEMORY.md: 3 entries, 412 of 2,200 characters used.</c></summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{MemoryEntries.FileName(File)}: {Entries.Count} entries, {Used:N0} of {Limit:N0} characters used{(Changed ? "" : " (unchanged: that entry is already there)")}.");
}
