using System.Text;
using CsCheck;
using Hermes.Identity.Memory;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryFileFormatTests
{
    [Fact]
    public async Task Entries_are_written_as_utf8_separated_by_a_line_holding_only_the_section_sign()
    {
        await using var data = Create();
        await data.AsAsync(Mei, async m =>
        {
            await m.AddAsync(MemoryFile.Notes, "one", Ct);
            await m.AddAsync(MemoryFile.Notes, "two\nlines", Ct);
            await m.AddAsync(MemoryFile.Notes, "see § 3 of the lease", Ct);
            return 0;
        });

        Assert.Equal(Encoding.UTF8.GetBytes("one\n§\ntwo\nlines\n§\nsee § 3 of the lease\n"), Bytes(data.NotesPath("mei")));
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
    [InlineData("a\n§\nb")]                          // no final newline
    [InlineData("a\r\n§\r\nb\r\n")]                  // CRLF
    [InlineData("\uFEFFa\n§\nb\n")]                   // BOM
    [InlineData("\n\na\n\n  §  \n\nb\n\n")]           // blank lines, padded separator
    [InlineData("§\na\n§\n§\nb\n§\n")]                // empty entries
    public async Task Hand_edited_files_are_read_tolerantly_and_rewritten_canonically(string text)
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        File.WriteAllText(data.NotesPath("mei"), text, new UTF8Encoding(false));

        Assert.Equal(["a", "b"], (await data.ReadAsync(Mei)).Notes);
        await data.AddAsync(Mei, MemoryFile.Notes, "c");
        Assert.Equal("a\n§\nb\n§\nc\n", Text(data.NotesPath("mei")));
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
            var canonical = entries.Count == 0 ? "" : string.Join("\n§\n", entries) + "\n";
            File.WriteAllText(path, canonical, new UTF8Encoding(false));
            var read = data.ReadAsync(Mei).GetAwaiter().GetResult().Notes;
            Assert.Equal(entries, read);
            data.AddAsync(Mei, MemoryFile.Notes, "zz-end").GetAwaiter().GetResult();
            Assert.Equal(canonical + (entries.Count == 0 ? "" : "§\n") + "zz-end\n", File.ReadAllText(path));
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
