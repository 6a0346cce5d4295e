using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

// The default (WatchForOutsideEdits = true) on the real kernel: memory folders are watched with inotify, a quiet folder's
// files are trusted without a system call, and an outside edit is seen once the kernel's notice reaches the watcher
// (so these tests wait for it, up to HangGuard.Timeout, instead of expecting it on the very next read).
public sealed class MemoryFolderWatchTests
{
    private static async Task<IReadOnlyList<string>> NotesOf(MemoryTestRoot data, string userId)
        => (await data.ReadAsync(userId)).Notes;

    // Reads until the notes are the expected ones: the watcher's notice arrives on its own thread.
    private static Task SeenAsync(MemoryTestRoot data, string userId, IReadOnlyList<string> expected) =>
        UntilAsync(async () => (await NotesOf(data, userId)).SequenceEqual(expected), $"The notes never became [{string.Join(", ", expected)}].");

    private static async Task UntilAsync(Func<Task<bool>> condition, string never)
    {
        var deadline = DateTime.UtcNow + HangGuard.Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, never);
            await Task.Delay(5, Ct);
        }
    }

    private static void RequireLinux() => Assert.SkipUnless(OperatingSystem.IsLinux(), "Memory folders are watched on Linux only (inotify).");

    [Fact]
    public async Task An_in_place_edit_that_keeps_size_and_write_time_is_seen_though_no_file_check_could_see_it()
    {
        RequireLinux();
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var path = data.NotesPath("mei");
        var stamp = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(path, stamp);
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));

        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            await stream.WriteAsync("likes tee\n"u8.ToArray(), Ct); // same inode, same length
        }

        File.SetLastWriteTimeUtc(path, stamp); // and the same stamp: size and write time say "unchanged"
        await SeenAsync(data, Mei, ["likes tee"]);
    }

    [Fact]
    public async Task A_quiet_folder_is_trusted_without_asking_the_file_system()
    {
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var (path, swap) = SwappableMemory(folder);
        using var watcher = MemoryFolderWatcher.Start(recheckEvery: TimeSpan.FromHours(1));
        var store = new MemoryFileStore(Options.Create(new MemoryOptions()), TimeProvider.System, watcher);
        Assert.Equal(["likes tea"], store.Read(path));

        await swap(); // a folder swapped in above the watched one: the watch follows the old folder, no notice at all
        Assert.Equal(["likes tea"], store.Read(path)); // trusted: nothing asked the file system
        Assert.Equal(["likes tea"], store.Read(path));
    }

    [Fact]
    public async Task What_a_watch_cannot_see_is_seen_once_the_watcher_rechecks()
    {
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var (path, swap) = SwappableMemory(folder);
        using var watcher = MemoryFolderWatcher.Start(recheckEvery: TimeSpan.FromMilliseconds(20)); // the default is 1 s
        var store = new MemoryFileStore(Options.Create(new MemoryOptions()), TimeProvider.System, watcher);
        Assert.Equal(["likes tea"], store.Read(path));

        await swap();
        await UntilAsync(() => Task.FromResult(store.Read(path).SequenceEqual(["works nights", "likes coffee"])), "The swapped-in file was never read.");
        Assert.True(watcher.Rechecks > 0);
    }

    // <folder>/memories/mei/MEMORY.md holding "likes tea", and a swap that renames memories/ away and makes a new
    // memories/mei/MEMORY.md in its place.
    private static (string Path, Func<Task> Swap) SwappableMemory(TempDirectory folder)
    {
        var memories = Path.Combine(folder.Path, "memories");
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(memories, "mei")).FullName, "MEMORY.md");
        File.WriteAllText(path, "likes tea");
        return (path, async () =>
        {
            Directory.Move(memories, memories + "-old");
            Directory.CreateDirectory(Path.Combine(memories, "mei"));
            await File.WriteAllTextAsync(path, "works nights\n§\nlikes coffee", Ct);
        });
    }

    [Fact]
    public async Task A_new_persons_first_memory_written_by_another_program_is_seen_though_no_memory_folder_existed()
    {
        RequireLinux();
        await using var data = Create();
        Assert.False(Directory.Exists(Path.Combine(data.Root, "memories")));
        Assert.Empty(await NotesOf(data, Mei));
        Assert.Empty(await NotesOf(data, Mei));

        Directory.CreateDirectory(Path.Combine(data.Root, "memories", "mei"));
        await File.WriteAllTextAsync(data.NotesPath("mei"), "likes tea", Ct);
        await SeenAsync(data, Mei, ["likes tea"]);
    }

    [Fact]
    public async Task A_deleted_memory_folder_reads_empty_and_a_new_one_in_its_place_is_seen()
    {
        RequireLinux();
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        Assert.Equal(["likes tea"], await NotesOf(data, Mei));

        var folder = Path.GetDirectoryName(data.NotesPath("mei"))!;
        Directory.Delete(folder, recursive: true);
        await SeenAsync(data, Mei, []);

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(data.NotesPath("mei"), "works nights", Ct);
        await SeenAsync(data, Mei, ["works nights"]);
    }

    [Fact]
    public async Task A_file_renamed_over_the_memory_file_reaches_the_identity_block()
    {
        RequireLinux();
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var prompt = data.Services.GetRequiredService<Prompt.IdentityPrompt>();
        Assert.Contains("likes tea", await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct)), StringComparison.Ordinal);

        var path = data.NotesPath("mei");
        await File.WriteAllTextAsync(path + ".outside", "likes tee\n§\nworks nights", Ct); // as Hermes's memory tool writes
        File.Move(path + ".outside", path, overwrite: true);

        await UntilAsync(
            async () => (await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct))).Contains("likes tee\n§\nworks nights", StringComparison.Ordinal),
            "The renamed file never reached the identity block.");

        Assert.DoesNotContain("likes tea", await data.AsAsync(Mei, _ => prompt.RenderAsync(Ct)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_through_one_host_is_seen_at_once_by_another_host_on_the_same_root()
    {
        // No waiting here: a write made through a memory store marks its folder changed for every store in the process.
        var root = NewRootFolder();
        await using var one = Create(root: root);
        await using var two = Create(root: root);
        Assert.Empty(await NotesOf(two, Mei));
        await one.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        Assert.Equal(["likes tea"], await NotesOf(two, Mei));

        Assert.Equal(["likes tea"], await NotesOf(two, Mei));
        await one.AddAsync(Mei, MemoryFile.Notes, "works nights");
        Assert.Equal(["likes tea", "works nights"], await NotesOf(two, Mei));
        await one.AsAsync(Mei, m => m.RemoveAsync(MemoryFile.Notes, "likes tea", Ct));
        Assert.Equal(["works nights"], await NotesOf(two, Mei));
    }

    [Fact]
    public async Task The_watcher_is_bounded_and_a_deleted_folder_gives_its_watch_back()
    {
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var a = Directory.CreateDirectory(Path.Combine(folder.Path, "a", "x", "mem")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(folder.Path, "b", "x", "mem")).FullName;
        var c = Directory.CreateDirectory(Path.Combine(folder.Path, "c", "x", "mem")).FullName;
        using var watcher = MemoryFolderWatcher.Start(capacity: 2);

        Assert.NotNull(watcher.Watch(a));
        Assert.NotNull(watcher.Watch(b));
        Assert.Null(watcher.Watch(c)); // full, and both in use: c is left to file checks
        Assert.Equal(2, watcher.Count);

        Directory.Delete(a);
        await UntilAsync(() => Task.FromResult(watcher.Count == 1), "The deleted folder's watch was never given back.");

        var watched = watcher.Watch(c);
        Assert.NotNull(watched);
        Assert.Equal(c, watched.Value.Watch.Folder);
        Assert.Equal(2, watcher.Count);
    }

    [Fact]
    public async Task A_missing_folder_is_covered_by_its_nearest_parent_and_moves_to_its_own_watch_once_it_exists()
    {
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var memories = Path.Combine(folder.Path, "memories");
        var mei = Path.Combine(memories, "mei");
        using var watcher = MemoryFolderWatcher.Start();

        var covered = watcher.Watch(mei);
        Assert.Equal(folder.Path, covered!.Value.Watch.Folder); // neither mei nor memories exists yet
        Directory.CreateDirectory(mei);

        await UntilAsync(() => Task.FromResult(covered.Value.Watch.Generation != covered.Value.Generation), "Making the folder never reached the parent's watch.");

        Assert.Equal(mei, watcher.Watch(mei)!.Value.Watch.Folder);
        Assert.Null(watcher.Watch(Path.Combine(folder.Path, "no", "such", "folder", "here"))); // nothing within two parents
    }

    [Fact]
    public async Task Once_the_watcher_stops_every_read_checks_the_file_again()
    {
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var path = Path.Combine(folder.Path, "MEMORY.md");
        await File.WriteAllTextAsync(path, "likes tea", Ct);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        var watcher = MemoryFolderWatcher.Start();
        var logs = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var store = new MemoryFileStore(Options.Create(new MemoryOptions()), TimeProvider.System, watcher, loggers);
        Assert.Equal(["likes tea"], store.Read(path));
        Assert.Equal(["likes tea"], store.Read(path));

        watcher.Dispose();
        Assert.NotNull(watcher.Failure);
        await File.WriteAllTextAsync(path, "works nights", Ct);
        Assert.Equal(["works nights"], store.Read(path)); // at once: no notice to wait for, the file is checked
        Assert.Equal(["works nights"], store.Read(path));
        Assert.Null(watcher.Watch(folder.Path));
        var stopped = Assert.Single(logs.GetSnapshot(), l => l.Id.Id == 606); // said once, not per read
        Assert.Contains("the watcher was disposed", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_folder_that_is_a_symbolic_link_is_never_trusted_from_a_parents_watch()
    {
        // A parent's watch sees nothing inside a linked folder: such a folder is checked on every read instead.
        RequireLinux();
        using var folder = new TempDirectory("watch");
        var target = Directory.CreateDirectory(Path.Combine(folder.Path, "elsewhere")).FullName;
        var memories = Directory.CreateDirectory(Path.Combine(folder.Path, "memories")).FullName;
        var linked = Path.Combine(memories, "mei");
        Directory.CreateSymbolicLink(linked, target);
        var path = Path.Combine(linked, "MEMORY.md");
        await File.WriteAllTextAsync(path, "likes tea", Ct);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        using var watcher = MemoryFolderWatcher.Start();
        var store = new MemoryFileStore(Options.Create(new MemoryOptions()), TimeProvider.System, watcher);

        Assert.Null(watcher.Watch(linked));
        Assert.Equal(["likes tea"], store.Read(path));
        await File.WriteAllTextAsync(Path.Combine(target, "MEMORY.md"), "works nights", Ct);
        Assert.Equal(["works nights"], store.Read(path)); // at once: checked, not trusted
    }

    [Fact]
    public async Task Notices_the_kernel_could_not_queue_mark_every_watch_changed()
    {
        // While the reading thread cannot apply notices, the kernel's queue for the instance fills (at
        // max_queued_events it drops the rest and queues one overflow notice): after that no folder can be trusted.
        RequireLinux();
        var queueLimit = int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_queued_events"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.SkipWhen(queueLimit > 100_000, $"max_queued_events is {queueLimit:N0} here: too many files to make to fill the queue.");
        using var folder = new TempDirectory("watch");
        var quiet = Directory.CreateDirectory(Path.Combine(folder.Path, "quiet")).FullName;
        var busy = Directory.CreateDirectory(Path.Combine(folder.Path, "busy")).FullName;
        using var watcher = MemoryFolderWatcher.Start(recheckEvery: TimeSpan.FromHours(1)); // no periodic recheck in the way
        var (watch, generation) = watcher.Watch(quiet)!.Value;
        Assert.NotNull(watcher.Watch(busy));

        lock (watcher.NoticeLock)
        {
            for (var i = 0; i < queueLimit + 100; i++)
            {
                File.Create(Path.Combine(busy, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Dispose(); // distinct names: never merged
            }
        }

        await UntilAsync(() => Task.FromResult(watch.Generation != generation), "The quiet folder's watch never changed after the queue overflowed.");
        Assert.True(watch.IsLive); // marked changed, still watched
    }
}
