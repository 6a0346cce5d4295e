using Hermes.Identity.Memory;
using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

// A memory write that cannot succeed however long it waits (a read-only disk, a folder the host may not
// write, a file where a folder should be) fails at once with a message that says so and what to do.
// Every test sets the longest lock timeout there is: had the store waited for "another writer", the
// test would hang for five minutes and then fail on the message, never pass.
public sealed class MemoryFaultTests
{
    private static readonly TimeSpan LongestLockTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_read_only_file_system_fails_at_once_and_says_so()
    {
        var root = NewRootFolder();
        var folder = Path.Combine(root, "memories", "mei");
        Action? unmount = null;
        try
        {
            unmount = FileSystemFaults.MountTmpfs(folder, "64k", "the read-only file system case");
            await using var data = Create(o => o.LockTimeout = LongestLockTimeout, root: root);
            await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
            var before = Bytes(data.NotesPath("mei"));
            FileSystemFaults.RemountReadOnly(folder);

            // MEMORY.md has its lock file already; USER.md's lock file would be created now.
            foreach (var file in new[] { MemoryFile.Notes, MemoryFile.User })
            {
                var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, file, "works nights"));
                Assert.Contains("read-only (EROFS)", error.Message, StringComparison.Ordinal);
                Assert.Contains("remount it read-write", error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("another writer", error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(root, error.Message, StringComparison.Ordinal);
            }

            Assert.Equal(before, Bytes(data.NotesPath("mei")));
            Assert.Equal(["likes tea"], (await data.ReadAsync(Mei)).Notes);
        }
        finally
        {
            unmount?.Invoke();
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task A_folder_the_host_may_not_write_fails_at_once_and_says_so()
    {
        var data = Create(o => o.LockTimeout = LongestLockTimeout);
        var folder = Path.GetDirectoryName(data.NotesPath("mei"))!;
        Action? undo = null;
        try
        {
            await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
            var before = Bytes(data.NotesPath("mei"));
            undo = FileSystemFaults.MakeUnwritable(folder);

            // MEMORY.md: the lock file opens, the temp file cannot be made. USER.md: its lock file cannot be made.
            foreach (var file in new[] { MemoryFile.Notes, MemoryFile.User })
            {
                var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, file, "works nights"));
                Assert.Contains("permission denied", error.Message, StringComparison.Ordinal);
                Assert.Contains("write access to the memory folder", error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("another writer", error.Message, StringComparison.Ordinal);
            }

            Assert.Equal(before, Bytes(data.NotesPath("mei")));
            Assert.Equal(["likes tea"], (await data.ReadAsync(Mei)).Notes);
        }
        finally
        {
            undo?.Invoke();
            await data.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_file_where_the_memory_folder_should_be_fails_at_once_and_says_so()
    {
        var root = NewRootFolder();
        try
        {
            await using var data = Create(o => o.LockTimeout = LongestLockTimeout, root: root);
            File.WriteAllText(Path.Combine(root, "memories"), "not a folder");

            var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "likes tea"));
            Assert.Contains("'memories', on the way to the memory folder, is a file, not a folder (ENOTDIR)", error.Message, StringComparison.Ordinal);
            Assert.Contains("move that file away", error.Message, StringComparison.Ordinal);
            Assert.Empty((await data.ReadAsync(Mei)).Notes);

            // The same when the person's own folder is the file.
            File.Delete(Path.Combine(root, "memories"));
            Directory.CreateDirectory(Path.Combine(root, "memories"));
            File.WriteAllText(Path.Combine(root, "memories", "mei"), "not a folder");
            error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "likes tea"));
            Assert.Contains("'mei', on the way to the memory folder, is a file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task A_lock_held_by_another_writer_is_still_waited_for_and_then_named()
    {
        await using var data = Create(o => o.LockTimeout = TimeSpan.FromMilliseconds(100));
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var lockPath = Path.Combine(Path.GetDirectoryName(data.NotesPath("mei"))!, "MEMORY.md.lock");

        // What another process holding the lock looks like: flock(LOCK_EX) on Unix, a share-mode lock on Windows.
        using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "works nights"));
            Assert.Contains("could not be locked for writing within 0.1 s because another writer held it", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, (await data.AddAsync(Mei, MemoryFile.Notes, "works nights")).Entries.Count);
    }

    // Every stranger admitted as a guest has their own memory files. Thousands of them writing and reading
    // must leave no per-file lock state behind, and the read cache must stay within its bound.
    [Fact]
    public async Task Thousands_of_strangers_leave_no_per_file_state_behind()
    {
        // tmpfs when there is one: thousands of fsyncs on a shared disk would only make the test slow.
        var root = NewRootFolder(Directory.Exists("/dev/shm") ? "/dev/shm" : null);
        try
        {
            await using var data = Create(root: root);
            var store = data.Services.GetRequiredService<MemoryFileStore>();
            var strangers = (store.CacheCapacity / 2) + 50; // two files each: more files than the cache holds
            await Parallel.ForEachAsync(Enumerable.Range(0, strangers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, _) =>
            {
                var id = $"stranger-{i}";
                await data.AddAsync(id, MemoryFile.Notes, $"note of {id}");
                var snapshot = await data.ReadAsync(id);
                Assert.Equal([$"note of {id}"], snapshot.Notes);
            });

            Assert.Equal(strangers, Directory.GetDirectories(Path.Combine(root, "memories")).Length);
            Assert.Equal(0, store.EditGateCount);
            Assert.Equal(store.CacheCapacity, store.CachedFileCount);

            // A file evicted from the cache long ago still reads right.
            Assert.Equal(["note of stranger-0"], (await data.ReadAsync("stranger-0")).Notes);
            Assert.Equal(store.CacheCapacity, store.CachedFileCount);
        }
        finally
        {
            DeleteFolder(root);
        }
    }

    // A writer that dies leaves a temp file; the next write to that folder sweeps it, however long this
    // process has been running (not only the first time the folder is used).
    [Fact]
    public async Task A_dead_writers_temp_file_is_swept_by_a_later_write_in_the_same_process()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "likes tea");
        var folder = Path.GetDirectoryName(data.NotesPath("mei"))!;
        var stale = Path.Combine(folder, ".MEMORY.md.0123456789abcdef.tmp");
        File.WriteAllText(stale, "half a write");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddMinutes(-2));

        await data.AddAsync(Mei, MemoryFile.User, "works nights");

        Assert.False(File.Exists(stale));
    }
}
