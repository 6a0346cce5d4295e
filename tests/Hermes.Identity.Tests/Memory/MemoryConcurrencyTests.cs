using Hermes.Identity.Memory;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryConcurrencyTests
{
    [Fact]
    public async Task Many_turns_adding_at_once_in_one_process_lose_nothing()
    {
        await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit);

        // Each task is its own turn (own async flow), as concurrent messages are in a host.
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 8; i++)
            {
                await data.AddAsync(w % 2 == 0 ? Mei : Louis, MemoryFile.Notes, $"w{w}-e{i}");
                await data.AddAsync(Louis, MemoryFile.Shared, $"shared w{w}-e{i}");
            }
        }, Ct));
        await Task.WhenAll(writers);

        var mei = (await data.ReadAsync(Mei)).Notes;
        var louis = await data.ReadAsync(Louis);
        Assert.Equal(Expected(w => w % 2 == 0, "w{0}-e{1}"), mei.Order(StringComparer.Ordinal));
        Assert.Equal(Expected(w => w % 2 == 1, "w{0}-e{1}"), louis.Notes.Order(StringComparer.Ordinal));
        Assert.Equal(Expected(_ => true, "shared w{0}-e{1}"), louis.Shared!.Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(data.NotesPath("mei"))!, "*.tmp"));
    }

    [Fact]
    public async Task Several_processes_appending_to_one_file_lose_nothing_and_duplicate_nothing()
    {
        var root = NewRootFolder();
        const int perProcess = 40;
        var children = Enumerable.Range(0, 3)
            .Select(p => ChildProcess.Start(MemoryWriterAssembly, "append", root, Mei, $"p{p}", $"{perProcess}"))
            .ToList();
        try
        {
            // This process writes to the same file at the same time.
            await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit, root: root);
            // All writers start at one signal, once every child has started up and says it is ready.
            foreach (var child in children)
            {
                await child.WaitForLineAsync(line => line == "ready", Ct);
            }

            children.ForEach(child => child.SendLine("go"));
            for (var i = 0; i < perProcess; i++)
            {
                await data.AddAsync(Mei, MemoryFile.Notes, $"here-{i}");
            }

            foreach (var child in children)
            {
                await child.WaitForExitAsync(cancellationToken: Ct);
                Assert.True(child.ExitCode == 0, child.Errors);
            }

            var notes = (await data.ReadAsync(Mei)).Notes;
            var expected = Enumerable.Range(0, 3).SelectMany(p => Enumerable.Range(0, perProcess).Select(i => $"p{p}-{i}"))
                .Concat(Enumerable.Range(0, perProcess).Select(i => $"here-{i}"));
            Assert.Equal(expected.Order(StringComparer.Ordinal), notes.Order(StringComparer.Ordinal));
            // Each process's own entries stay in the order it wrote them.
            Assert.Equal(Enumerable.Range(0, perProcess).Select(i => $"p1-{i}"), notes.Where(n => n.StartsWith("p1-", StringComparison.Ordinal)));
        }
        finally
        {
            children.ForEach(child => child.Dispose());
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task A_writer_that_holds_the_lock_too_long_gets_a_clear_error_and_the_file_is_untouched()
    {
        await using var data = Create(o => o.LockTimeout = TimeSpan.FromMilliseconds(300));
        await data.AddAsync(Mei, MemoryFile.Notes, "before");
        var before = Bytes(data.NotesPath("mei"));
        var lockPath = Path.Combine(Path.GetDirectoryName(data.NotesPath("mei"))!, "MEMORY.md.lock");

        // As another process would hold it: an exclusive lock on the lock file.
        using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "blocked"));
            Assert.Contains("could not be locked for writing within 0.3 s", error.Message, StringComparison.Ordinal);
            // Another file has its own lock.
            await data.AddAsync(Mei, MemoryFile.User, "not blocked");
        }

        Assert.Equal(before, Bytes(data.NotesPath("mei")));
        await data.AddAsync(Mei, MemoryFile.Notes, "after");
        Assert.Equal(["before", "after"], (await data.ReadAsync(Mei)).Notes);
    }

    private static IEnumerable<string> Expected(Func<int, bool> writer, string format) =>
        Enumerable.Range(0, 16).Where(writer)
            .SelectMany(w => Enumerable.Range(0, 8).Select(i => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, w, i)))
            .Order(StringComparer.Ordinal);
}
