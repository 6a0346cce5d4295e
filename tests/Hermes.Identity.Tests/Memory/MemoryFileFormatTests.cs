using System.Text;
using CsCheck;
using Hermes.Identity.Memory;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryFileFormatTests
{
    [Fact]
    public async Task Entries_are_written_as_hermes_writes_them_utf8_joined_by_section_sign_lines_with_no_final_newline()
    {
        await using var data = Create();
        await data.AsAsync(Mei, async m =>
        {
            await m.AddAsync(MemoryFile.Notes, "one", Ct);
            await m.AddAsync(MemoryFile.Notes, "two\nlines", Ct);
            await m.AddAsync(MemoryFile.Notes, "see § 3 of the lease", Ct);
            return 0;
        });

        Assert.Equal(Encoding.UTF8.GetBytes("one\n§\ntwo\nlines\n§\nsee § 3 of the lease"), Bytes(data.NotesPath("mei")));
        Assert.Equal(["one", "two\nlines", "see § 3 of the lease"], (await data.ReadAsync(Mei)).Notes);
    }

    [Fact]
    public async Task Removing_the_last_entry_leaves_an_empty_file()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "only");
        await data.AsAsync(Mei, m => m.RemoveAsync(MemoryFile.Notes, "only", Ct));

        Assert.Empty(Bytes(data.NotesPath("mei")));
        Assert.Empty((await data.ReadAsync(Mei)).Notes);
    }

    [Theory]
    [InlineData("a\n§\nb")]                          // as Hermes writes it
    [InlineData("a\n§\nb\n")]                        // a final newline
    [InlineData("a\r\n§\r\nb\r\n")]                  // CRLF
    [InlineData("a\r§\rb")]                          // CR alone, which Python's universal newlines read as LF
    [InlineData("\uFEFFa\n§\nb\n")]                   // BOM
    [InlineData("\n\n a \n\n§\n\nb\t\n\n")]            // blank lines and spaces around entries
    [InlineData("a\n§\n\n§\nb\n§\n")]                // empty entries
    [InlineData("a\n§\nb\n§\na\n§\nb")]               // duplicates, dropped on load as Hermes does (the first kept)
    public async Task Files_are_read_as_hermes_reads_them_and_rewritten_canonically(string text)
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        File.WriteAllText(data.NotesPath("mei"), text, new UTF8Encoding(false));

        Assert.Equal(["a", "b"], (await data.ReadAsync(Mei)).Notes);
        await data.AddAsync(Mei, MemoryFile.Notes, "c");
        Assert.Equal("a\n§\nb\n§\nc", Text(data.NotesPath("mei")));
    }

    [Fact]
    public async Task Only_the_exact_separator_splits_entries_as_in_hermes()
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        // A padded '§' line, a '§' inside a line, a leading '§' line: Hermes splits on "\n§\n" only, so do we.
        File.WriteAllText(data.NotesPath("mei"), "a\n  §  \nb\n§\nsee § 2\n§\n§\nc", new UTF8Encoding(false));

        Assert.Equal(["a\n  §  \nb", "see § 2", "§\nc"], (await data.ReadAsync(Mei)).Notes);
    }

    [Fact]
    public async Task A_duplicate_entry_in_the_file_is_one_entry_to_replace_and_remove()
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        File.WriteAllText(data.NotesPath("mei"), "likes tea\n§\nworks nights\n§\nlikes tea", new UTF8Encoding(false));

        var result = await data.AsAsync(Mei, m => m.ReplaceAsync(MemoryFile.Notes, "tea", "likes oolong", Ct));

        Assert.Equal(["likes oolong", "works nights"], result.Entries);
        Assert.Equal("likes oolong\n§\nworks nights", Text(data.NotesPath("mei")));
    }

    [Fact]
    public async Task Any_valid_entries_round_trip_exactly_through_the_file()
    {
        await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit);
        var path = data.NotesPath("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var entry = Gen.String[Gen.Char["ab §\n\t猫-"], 1, 12].Where(IsValidEntry);

        await Task.Run(() => entry.List[0, 6].Where(list => list.Distinct().Count() == list.Count).Sample(entries =>
        {
            var canonical = string.Join("\n§\n", entries);
            File.WriteAllText(path, canonical, new UTF8Encoding(false));
            var read = data.ReadAsync(Mei).GetAwaiter().GetResult().Notes;
            Assert.Equal(entries, read);
            data.AddAsync(Mei, MemoryFile.Notes, "zz-end").GetAwaiter().GetResult();
            Assert.Equal(canonical + (entries.Count == 0 ? "" : "\n§\n") + "zz-end", File.ReadAllText(path));
        }, iter: 60, threads: 1), Ct);
    }

    [Fact]
    public async Task Render_gives_a_heading_with_usage_per_file_and_the_entries()
    {
        await using var data = Create();
        await data.AddAsync(Louis, MemoryFile.Notes, "n1");
        await data.AddAsync(Louis, MemoryFile.Notes, "n2");
        await data.AddAsync(Louis, MemoryFile.Shared, "s1");

        var text = (await data.ReadAsync(Louis)).Render();

        Assert.Contains("## Your notes (MEMORY.md) — 7 of 2,200 characters used\nn1\n§\nn2\n", text, StringComparison.Ordinal);
        Assert.Contains("## About the person you are talking to (USER.md) — 0 of 1,375 characters used\n(no entries yet)\n", text, StringComparison.Ordinal);
        Assert.Contains("## Shared memory (memories/_shared/MEMORY.md) — 2 of 2,200 characters used\ns1\n", text, StringComparison.Ordinal);
        Assert.StartsWith("# Long-term memory\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_a_clear_error_and_is_left_alone()
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        byte[] latin1 = [0x63, 0x61, 0x66, 0xE9, 0x0A];
        File.WriteAllBytes(data.NotesPath("mei"), latin1);

        var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "x"));

        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Equal(latin1, Bytes(data.NotesPath("mei")));
    }

    private static bool IsValidEntry(string s) =>
        s == s.Trim() && s.Length > 0 && !s.Split('\n').Any(line => line.Trim() == "§");
}
