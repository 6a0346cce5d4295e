using System.Collections.ObjectModel;

namespace Hermes.Identity.Memory;

// The entries of one memory file as the read cache keeps them: read-only, so every snapshot of an unchanged file
// shares this one list instead of a copy, and it carries the file's section of the prompt once rendered
// (MemorySnapshot.AppendTo), so an unchanged file is not formatted again on every request. A changed file is a new
// list: nothing here is ever invalidated, it goes with the list.
internal sealed class CachedMemoryEntries(string[] entries) : ReadOnlyCollection<string>(entries)
{
    public static readonly CachedMemoryEntries None = new([]);

    private Section? _section;

    public bool TryGetSection(string title, int limit, out string text)
    {
        if (Volatile.Read(ref _section) is { } section && ReferenceEquals(section.Title, title) && section.Limit == limit)
        {
            text = section.Text;
            return true;
        }

        text = "";
        return false;
    }

    public void SetSection(string title, int limit, string text) => Volatile.Write(ref _section, new Section(title, limit, text));

    private sealed record Section(string Title, int Limit, string Text);
}
