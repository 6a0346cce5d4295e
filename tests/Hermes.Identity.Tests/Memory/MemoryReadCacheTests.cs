using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

// Prompts read memory on every request, so parsed files are cached. With WatchForOutsideEdits = false, a cached file
// is checked by size and write time on every read: a change made outside the store (an editor, another process) must
// be seen by the very next read, even one that keeps the size. (The watched default: MemoryFolderWatchTests.)
public sealed class MemoryReadCacheTests
{
    private static void Checked(MemoryOptions options) => options.WatchForOutsideEdits = false;

    private static async Task<IReadOnlyList<string>> NotesOf(MemoryTestRoot data, string userId)
        => await data.AsAsync(userId, async m => (await m.ReadAsync(Ct)).Notes);

    [Fact]
    public async Task An_edit_from_outside_that_keeps_the_size_is_seen_on_the_next_read()
    {
        await using var data = Create(Checked);
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var path = data.NotesPath("mei");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1)); // old enough to be trusted from the cache
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));

        await File.WriteAllTextAsync(path, "likes tee\n", Ct); // same length, written now
        Assert.Equal(["likes tee"], await NotesOf(data, Mei));
    }

    [Fact]
    public async Task A_same_size_edit_inside_one_clock_tick_is_not_hidden_by_the_cache()
    {
        // The host's clock stands still at the moment of the write, so "cached right after the write" holds
        // however slowly this machine runs the next read (on the machine clock a busy machine can take 100 ms).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var data = Create(Checked, services: s => s.AddSingleton<TimeProvider>(clock));
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var path = data.NotesPath("mei");
        // A stamp no older than the moment it is cached, however long this machine takes between two steps: as if the
        // write and the caching fell inside one tick of the file system's clock (racily clean).
        var stamp = DateTime.UtcNow.AddHours(1);
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(["likes tea"], await NotesOf(data, Mei)); // cached, racily clean

        await File.WriteAllTextAsync(path, "likes tee\n", Ct);
        File.SetLastWriteTimeUtc(path, stamp); // what a coarse file-system clock can leave: the same stamp
        Assert.Equal(["likes tee"], await NotesOf(data, Mei));
    }

    [Fact]
    public async Task The_identity_block_shows_an_outside_edit_on_the_next_turn_though_it_keeps_each_file_rendered()
    {
        // The block keeps each unchanged file's rendered section with the cached entries: an edit from another process
        // (here, as Hermes's memory tool writes: a new file renamed over the old) must still reach the next turn's block.
        await using var data = Create(Checked);
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var path = data.NotesPath("mei");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        var prompt = data.Services.GetRequiredService<Prompt.IdentityPrompt>();
        var first = await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct));
        var again = await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct));
        Assert.Contains("likes tea", first, StringComparison.Ordinal);
        Assert.Equal(Memory(first), Memory(again)); // the same text from the kept section

        var replacement = path + ".outside";
        await File.WriteAllTextAsync(replacement, "likes tee\n§\nworks nights", Ct);
        File.Move(replacement, path, overwrite: true);
        var next = await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct));
        Assert.DoesNotContain("likes tea", next, StringComparison.Ordinal);
        Assert.Contains("likes tee\n§\nworks nights", next, StringComparison.Ordinal);

        static string Memory(string block) => block[block.IndexOf("# Long-term memory", StringComparison.Ordinal)..block.LastIndexOf("</hermes-memory", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task A_snapshot_shares_the_cached_entries_but_no_one_can_change_them()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        File.SetLastWriteTimeUtc(data.NotesPath("mei"), DateTime.UtcNow.AddHours(-1));
        var one = await data.ReadAsync(Mei);
        var two = await data.ReadAsync(Mei);
        Assert.Same(one.Notes, two.Notes); // no copy per read
        var list = Assert.IsAssignableFrom<IList<string>>(one.Notes);
        Assert.True(list.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => list[0] = "forged");
        Assert.Equal(["likes tea"], (await data.ReadAsync(Mei)).Notes);
    }

    [Fact]
    public async Task A_write_through_the_store_is_seen_at_once()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        File.SetLastWriteTimeUtc(data.NotesPath("mei"), DateTime.UtcNow.AddHours(-1));
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));
        await data.AddAsync(Mei, MemoryFile.Notes, "works nights");
        Assert.Equal(["likes tea", "works nights"], await NotesOf(data, Mei));
    }

    [Fact]
    public async Task A_deleted_file_reads_as_empty()
    {
        await using var data = Create(Checked);
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        File.SetLastWriteTimeUtc(data.NotesPath("mei"), DateTime.UtcNow.AddHours(-1));
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));
        File.Delete(data.NotesPath("mei"));
        Assert.Empty(await NotesOf(data, Mei));
    }

    // "Was the file written well before it was cached?" is answered by the host's TimeProvider, not the
    // machine clock: here the host's clock says the entry was cached an hour ago, before the file's stamp.
    [Fact]
    public async Task The_cache_trusts_a_file_by_the_injected_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var data = Create(Checked, services: s => s.AddSingleton<TimeProvider>(clock));
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var path = data.NotesPath("mei");
        var stamp = DateTime.UtcNow.AddMinutes(-10); // ten minutes old by the machine clock: trusted by it
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));

        await File.WriteAllTextAsync(path, "likes tee\n", Ct);
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(["likes tee"], await NotesOf(data, Mei)); // written after it was cached, by the host's clock

        clock.Advance(TimeSpan.FromHours(2)); // the host's clock is now an hour ahead: the stamp is old enough
        Assert.Equal(["likes tee"], await NotesOf(data, Mei));
        await File.WriteAllTextAsync(path, "likes tex\n", Ct);
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(["likes tee"], await NotesOf(data, Mei)); // served from the cache: same size, same stamp
    }
}
