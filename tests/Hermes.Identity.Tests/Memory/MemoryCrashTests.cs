using System.Text;
using Hermes.Identity.Memory;
using Hermes.Identity.MemoryWriter;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryCrashTests
{
    private const int Payload = 40_000;

    // A child rewrites MEMORY.md in a loop (two entries, advanced in turn, ~80 KB a write) and prints
    // each acknowledged version; it is killed (SIGKILL on Unix) at a random moment, several times.
    // After each kill the file must hold exactly one version the child wrote: both entries whole,
    // at least as new as the last acknowledged version and at most one write newer.
    [Fact]
    public async Task A_writer_killed_while_rewriting_memory_leaves_one_whole_version()
    {
        var root = NewRootFolder();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var path = Path.Combine(root, "memories", "mei", "MEMORY.md");
        try
        {
            for (var round = 0; round < 6; round++)
            {
                using var child = ChildProcess.Start(MemoryWriterAssembly, "rewrite", root, Mei, $"{Payload}");
                await child.WaitForLineAsync(_ => true, Ct);   // the first acknowledged write; the writer's errors if it fails first
                await Task.Delay(random.Next(5, 150), Ct);
                child.Kill();
                await child.WaitForExitAsync(cancellationToken: Ct);   // acknowledgements written before the kill are still in the pipe
                var last = child.Lines[^1].Split(' ');
                var version = int.Parse(last[1], System.Globalization.CultureInfo.InvariantCulture);
                var acknowledged = last[0] == "A" ? (2 * version) - 1 : 2 * version;

                var step = AssertOneWholeVersion(path, $"round {round}, seed {seed}");
                Assert.True(step == acknowledged || step == acknowledged + 1,
                    $"round {round}, seed {seed}: the file holds write {step}, the last acknowledged write was {acknowledged}.");
            }
        }
        finally
        {
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task Stale_temp_files_of_dead_writers_are_swept_and_live_ones_are_left()
    {
        var root = NewRootFolder();
        try
        {
            var folder = Path.Combine(root, "memories", "mei");
            Directory.CreateDirectory(folder);
            var stale = Path.Combine(folder, ".MEMORY.md.0123456789abcdef.tmp");
            var staleUser = Path.Combine(folder, ".USER.md.fedcba9876543210.tmp");
            var fresh = Path.Combine(folder, ".MEMORY.md.00000000000000aa.tmp");
            var notOurs = Path.Combine(folder, ".notes.tmp");
            foreach (var file in new[] { stale, staleUser, fresh, notOurs })
            {
                File.WriteAllText(file, "half a write");
            }

            foreach (var file in new[] { stale, staleUser, notOurs })
            {
                File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-2));
            }

            await using var data = Create(root: root);
            await data.ReadAsync(Mei);

            Assert.False(File.Exists(stale));
            Assert.False(File.Exists(staleUser));
            Assert.True(File.Exists(fresh));
            Assert.True(File.Exists(notOurs));
        }
        finally
        {
            DeleteFolder(root);
        }
    }

    [Fact]
    public async Task Writes_leave_no_temp_file_and_keep_memory_private_to_the_host_user()
    {
        await using var data = Create();
        await data.AddAsync(Mei, MemoryFile.Notes, "private");
        await data.AsAsync(Mei, m => m.ReplaceAsync(MemoryFile.Notes, "private", "still private", Ct));

        var folder = Path.GetDirectoryName(data.NotesPath("mei"))!;
        Assert.Equal(["MEMORY.md", "MEMORY.md.lock"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.NotesPath("mei")));
        }
    }

    // Needs a small file system to fill: a tmpfs mounted over memories/, so it runs only where the
    // tests may mount (Linux, as root); elsewhere it is skipped and says why.
    [Fact]
    public async Task A_full_disk_is_a_clear_error_that_keeps_earlier_writes_and_the_store_recovers()
    {
        var root = NewRootFolder();
        var memories = Path.Combine(root, "memories");
        Directory.CreateDirectory(memories);
        try
        {
            Assert.SkipUnless(OperatingSystem.IsLinux() && Run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", memories) == 0,
                "Mounting a small tmpfs needs Linux and root; the disk-full case is not exercised here.");
            await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit, root: root);
            var filler = Path.Combine(memories, "filler");
            File.WriteAllBytes(filler, new byte[156 * 1024]);
            await data.AddAsync(Mei, MemoryFile.Notes, new string('a', 40_000));
            var before = Bytes(data.NotesPath("mei"));

            var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, new string('b', 40_000)));

            Assert.Contains("could not be written, so it is unchanged", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, Bytes(data.NotesPath("mei")));
            Assert.DoesNotContain(Directory.GetFiles(Path.Combine(memories, "mei")), f => f.EndsWith(".tmp", StringComparison.Ordinal));

            File.Delete(filler);
            var after = await data.AddAsync(Mei, MemoryFile.Notes, new string('b', 40_000));
            Assert.Equal(2, after.Entries.Count);
        }
        finally
        {
            if (OperatingSystem.IsLinux())
            {
                Run("umount", memories);
            }

            DeleteFolder(root);
        }
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true });
            process!.WaitForExit(10_000);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static int AssertOneWholeVersion(string path, string where)
    {
        Assert.True(File.Exists(path), $"{where}: MEMORY.md is missing.");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 0, $"{where}: MEMORY.md is empty.");
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        Assert.False(text.EndsWith('\n'), $"{where}: MEMORY.md ends with a newline, which Hermes's format does not have ({text.Length} characters).");
        var entries = text.Split("\n§\n");
        Assert.True(entries.Length == 2, $"{where}: MEMORY.md has {entries.Length} entries, not 2.");
        var a = RewriteVersion.Parse(entries[0]);
        var b = RewriteVersion.Parse(entries[1]);
        Assert.True(a is { Tag: 'A', Whole: true } && b is { Tag: 'B', Whole: true }, $"{where}: an entry is torn or mixed.");
        Assert.True(entries[0] == RewriteVersion.Entry('A', a.Version, Payload) && entries[1] == RewriteVersion.Entry('B', b.Version, Payload), $"{where}: an entry is cut short.");
        Assert.True(a.Version == b.Version || a.Version == b.Version + 1, $"{where}: versions A {a.Version}, B {b.Version} were never written together.");
        return a.Version + b.Version;
    }
}
