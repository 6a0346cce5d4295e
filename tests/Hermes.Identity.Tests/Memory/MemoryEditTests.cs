using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryEditTests
{
    [Fact]
    public async Task Replace_and_remove_act_on_the_one_entry_that_contains_the_substring()
    {
        await using var data = Create();
        var result = await data.AsAsync(Mei, async m =>
        {
            await m.AddAsync(MemoryFile.Notes, "likes tea", Ct);
            await m.AddAsync(MemoryFile.Notes, "works nights", Ct);
            await m.AddAsync(MemoryFile.Notes, "has a cat named Mochi", Ct);
            await m.ReplaceAsync(MemoryFile.Notes, "nights", "works days now", Ct);
            return await m.RemoveAsync(MemoryFile.Notes, "Mochi", Ct);
        });

        Assert.Equal(["likes tea", "works days now"], result.Entries);
        Assert.True(result.Changed);
        Assert.Equal("likes tea\n§\nworks days now", Text(data.NotesPath("mei")));
    }

    [Fact]
    public async Task A_substring_no_entry_contains_is_an_error_that_says_so()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var before = Bytes(data.NotesPath("mei"));

        var error = await Assert.ThrowsAsync<MemoryEntryMatchException>(() => data.AsAsync(Mei, m => m.RemoveAsync(MemoryFile.Notes, "Tea", Ct)));

        Assert.Equal(0, error.MatchCount);
        Assert.Contains("No entry in MEMORY.md contains \"Tea\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("case-sensitive", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Bytes(data.NotesPath("mei")));
    }

    [Fact]
    public async Task A_substring_several_entries_contain_is_an_error_that_says_how_many()
    {
        await using var data = Create();
        await data.AsAsync(Mei, async m =>
        {
            await m.AddAsync(MemoryFile.User, "likes green tea", Ct);
            await m.AddAsync(MemoryFile.User, "dislikes black tea", Ct);
            await m.AddAsync(MemoryFile.User, "tea at four", Ct);
            return 0;
        });
        var before = Bytes(data.UserPath("mei"));

        var error = await Assert.ThrowsAsync<MemoryEntryMatchException>(() => data.AsAsync(Mei, m => m.ReplaceAsync(MemoryFile.User, "tea", "coffee", Ct)));

        Assert.Equal(3, error.MatchCount);
        Assert.StartsWith("3 entries in USER.md contain \"tea\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Bytes(data.UserPath("mei")));
    }

    [Fact]
    public async Task An_empty_substring_names_no_entry()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "only entry");

        await Assert.ThrowsAsync<MemoryEntryMatchException>(() => data.AsAsync(Mei, m => m.RemoveAsync(MemoryFile.Notes, "", Ct)));
        Assert.Equal("only entry", Text(data.NotesPath("mei")));
    }

    [Fact]
    public async Task Adding_an_entry_that_is_already_there_changes_nothing()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var time = File.GetLastWriteTimeUtc(data.NotesPath("mei"));

        var result = await data.AddAsync(Mei, MemoryFile.Notes, "  likes tea \n");

        Assert.False(result.Changed);
        Assert.Equal(["likes tea"], result.Entries);
        Assert.Equal(time, File.GetLastWriteTimeUtc(data.NotesPath("mei")));
        Assert.Contains("unchanged", result.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    [InlineData("first part\n§\nsecond part")]
    [InlineData("§")]
    [InlineData("a\0b")]
    public async Task An_entry_that_would_not_round_trip_is_refused(string entry)
    {
        await using var data = Create();

        var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, entry));

        Assert.IsType<MemoryException>(error);
        Assert.False(File.Exists(data.NotesPath("mei")));
    }

    [Fact]
    public async Task An_entry_with_half_a_surrogate_pair_is_refused()
    {
        await using var data = Create();

        var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "broken \ud83c tea"));

        Assert.Contains("broken character", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(data.NotesPath("mei")));
    }

    [Fact]
    public async Task Filling_a_file_exactly_to_its_limit_works_and_one_more_character_says_how_much_room_is_left()
    {
        await using var data = Create(o => o.NotesLimit = 20);
        await data.AddAsync(Mei, MemoryFile.Notes, new string('a', 10));
        var full = await data.AddAsync(Mei, MemoryFile.Notes, new string('b', 7));   // 10 + "\n§\n" + 7 = 20
        Assert.Equal(20, full.Used);
        Assert.Equal(0, full.Remaining);

        var error = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => data.AddAsync(Mei, MemoryFile.Notes, "c"));

        Assert.Equal((20, 20, 24, 0), (error.Limit, error.Used, error.WouldUse, error.Remaining));
        Assert.Contains("limited to 20 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains("0 are left", error.Message, StringComparison.Ordinal);
        Assert.Equal("aaaaaaaaaa\n§\nbbbbbbb", Text(data.NotesPath("mei")));
    }

    [Fact]
    public async Task The_default_limits_are_2200_for_notes_and_1375_for_the_user_file()
    {
        await using var data = Create();

        await data.AddAsync(Mei, MemoryFile.User, new string('u', 1_375));
        await data.AddAsync(Mei, MemoryFile.Notes, new string('n', 2_200));
        var user = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => data.AddAsync(Louis, MemoryFile.User, new string('u', 1_376)));
        var notes = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => data.AddAsync(Louis, MemoryFile.Notes, new string('n', 2_201)));

        Assert.Equal((1_375, 1_375), (user.Limit, user.Remaining));
        Assert.Contains("1,375 are left", user.Message, StringComparison.Ordinal);
        Assert.Equal(2_200, notes.Limit);
    }

    [Fact]
    public async Task Limits_count_characters_so_chinese_text_and_emoji_count_once_each()
    {
        await using var data = Create(o => o.UserLimit = 10);

        var result = await data.AddAsync(Mei, MemoryFile.User, "喜欢喝乌龙茶🍵🍵🍵");   // 6 han + 3 emoji (6 UTF-16 units)

        Assert.Equal(9, result.Used);
        await Assert.ThrowsAsync<MemoryLimitExceededException>(() => data.AddAsync(Mei, MemoryFile.User, "猫"));
    }

    [Fact]
    public async Task A_hand_edited_file_over_its_limit_can_still_shrink_but_not_grow()
    {
        await using var data = Create(o => o.NotesLimit = 30);
        Directory.CreateDirectory(Path.GetDirectoryName(data.NotesPath("mei"))!);
        File.WriteAllText(data.NotesPath("mei"), $"{new string('x', 25)}\n§\n{new string('y', 25)}\n");

        await Assert.ThrowsAsync<MemoryLimitExceededException>(() => data.AddAsync(Mei, MemoryFile.Notes, "z"));
        var shrunk = await data.AsAsync(Mei, m => m.ReplaceAsync(MemoryFile.Notes, "yyy", "short", Ct));
        Assert.Equal(25 + 3 + 5, shrunk.Used);
        var removed = await data.AsAsync(Mei, m => m.RemoveAsync(MemoryFile.Notes, "xxx", Ct));
        Assert.Equal(["short"], removed.Entries);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_a_clear_error_and_other_files_still_work()
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.Combine(data.Root, "memories"));
        File.WriteAllText(Path.Combine(data.Root, "memories", "mei"), "a file where Mei's folder should be");

        var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "x"));

        Assert.Contains("could not be created, so nothing was written", error.Message, StringComparison.Ordinal);
        await data.AddAsync(Louis, MemoryFile.Notes, "still works");
        Assert.Equal(["still works"], (await data.ReadAsync(Louis)).Notes);
    }

    [Theory]
    [InlineData(0, 1375, 2200, "NotesLimit")]
    [InlineData(2200, -1, 2200, "UserLimit")]
    [InlineData(2200, 1375, 100_001, "SharedLimit")]
    public async Task Invalid_limits_stop_the_host_at_start(int notes, int user, int shared, string property)
    {
        var root = NewRootFolder();
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddHermesIsolation(o => o.Root = root).ConfigureMemory(m => (m.NotesLimit, m.UserLimit, m.SharedLimit) = (notes, user, shared));
            using var host = builder.Build();

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

            Assert.Contains($"MemoryOptions.{property}", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task A_lock_timeout_out_of_range_fails_validation()
    {
        await using var data = Create(o => o.LockTimeout = TimeSpan.Zero);

        var error = Assert.Throws<OptionsValidationException>(() => data.Services.GetRequiredService<IOptions<MemoryOptions>>().Value);

        Assert.Contains("LockTimeout", error.Message, StringComparison.Ordinal);
    }
}
