using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Hermes.Identity.Memory;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

// The library beside a Python Hermes Agent process on the same memory files. The other side is python3 running
// hermes_memory_tool.py, which locks, reads and writes as Hermes's memory tool does (tools/memory_tool.py).
// Skipped, saying so, where python3 is not installed.
public sealed class HermesMemoryCompatibilityTests
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Memory", "hermes_memory_tool.py");

    [Fact]
    public async Task A_python_hermes_writer_and_this_library_racing_on_one_file_lose_no_edit()
    {
        RequirePython();
        await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit);
        var path = data.NotesPath("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // The library's writers are turns in one process (its gate lets one edit at a time through), kept busy back to back.
        const int perWriter = 150;
        const int turns = 3;
        var pythons = Enumerable.Range(0, 2).Select(p => Python("append", path, $"py{p}", $"{perWriter}")).ToList();
        try
        {
            foreach (var python in pythons)
            {
                await python.WaitForLineAsync(line => line == "ready", Ct);
            }

            pythons.ForEach(python => python.SendLine("go"));
            await Task.WhenAll(Enumerable.Range(0, turns).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter / turns; i++)
                {
                    await data.AddAsync(Mei, MemoryFile.Notes, $"net{t}-{i}");
                }
            }, Ct)));

            foreach (var python in pythons)
            {
                await python.WaitForExitAsync(cancellationToken: Ct);
                Assert.True(python.ExitCode == 0, python.Errors);
            }

            var expected = new[] { "py0", "py1" }.SelectMany(w => Enumerable.Range(0, perWriter).Select(i => $"{w}-{i}"))
                .Concat(Enumerable.Range(0, turns).SelectMany(t => Enumerable.Range(0, perWriter / turns).Select(i => $"net{t}-{i}")))
                .Order(StringComparer.Ordinal);
            var notes = (await data.ReadAsync(Mei)).Notes;
            Assert.Equal(expected, notes.Order(StringComparer.Ordinal));
            // Each writer's entries stay in the order it added them.
            Assert.Equal(Enumerable.Range(0, perWriter).Select(i => $"py1-{i}"), notes.Where(n => n.StartsWith("py1-", StringComparison.Ordinal)));
            // Hermes reads the same entries from the file.
            Assert.Equal(notes, await PythonParseAsync(path));
        }
        finally
        {
            pythons.ForEach(python => python.Dispose());
        }
    }

    [Fact]
    public async Task While_hermes_holds_the_lock_the_library_waits_and_then_says_who_to_look_for()
    {
        RequirePython();
        await using var data = Create(o => o.LockTimeout = TimeSpan.FromMilliseconds(300));
        await data.AddAsync(Mei, MemoryFile.Notes, "before");
        var before = Bytes(data.NotesPath("mei"));

        using var hermes = Python("hold", data.NotesPath("mei"));
        await hermes.WaitForLineAsync(line => line == "held", Ct);
        var error = await Assert.ThrowsAsync<MemoryException>(() => data.AddAsync(Mei, MemoryFile.Notes, "blocked"));
        Assert.Contains("because another writer held it", error.Message, StringComparison.Ordinal);
        Assert.Contains("MEMORY.md.lock (this library, or a Hermes Agent process)", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Bytes(data.NotesPath("mei")));

        hermes.SendLine("release");
        await hermes.WaitForLineAsync(line => line == "released", Ct);
        await data.AddAsync(Mei, MemoryFile.Notes, "after");
        Assert.Equal(["before", "after"], (await data.ReadAsync(Mei)).Notes);
    }

    [Fact]
    public async Task While_the_library_holds_the_lock_hermes_cannot_take_it()
    {
        RequirePython();
        using var folder = new TempDirectory("hermes-lock");
        var path = Path.Combine(folder.Path, "MEMORY.md");

        using (HermesFileLock.TryTake(MemoryFileLock.LockPathOf(path)))
        {
            Assert.Equal("busy", await PythonLineAsync("trylock", path));
        }

        Assert.Equal("locked", await PythonLineAsync("trylock", path));
    }

    [Fact]
    public async Task Files_written_by_either_side_read_as_the_same_entries_in_the_other()
    {
        RequirePython();
        await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit);
        var path = data.NotesPath("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string[] entries = ["likes oolong tea", "two\nlines", "see § 3 of the lease", "住在台北", "emoji 🐈 and\ttab"];

        // This library writes; Hermes reads the same entries, and its drift guard (the file must equal its own
        // re-serialisation) finds nothing to object to: the bytes are exactly what Hermes would write.
        foreach (var entry in entries)
        {
            await data.AddAsync(Mei, MemoryFile.Notes, entry);
        }

        Assert.Equal(entries, await PythonParseAsync(path));
        Assert.Equal(string.Join("\n§\n", entries), File.ReadAllText(path, Encoding.UTF8));

        // Hermes writes (with a duplicate its loader drops); this library reads what Hermes reads.
        string[] fromHermes = ["dup", "b\n  §  \nstill b", "dup", "末尾"];
        Assert.Equal("", await PythonLineAsync("write", path, JsonSerializer.Serialize(fromHermes)));
        Assert.Equal(await PythonParseAsync(path), (await data.ReadAsync(Mei)).Notes);
        Assert.Equal(["dup", "b\n  §  \nstill b", "末尾"], (await data.ReadAsync(Mei)).Notes);
    }

    [Fact]
    public async Task Hand_edited_files_read_the_same_in_hermes_and_in_this_library()
    {
        RequirePython();
        await using var data = Create(o => o.NotesLimit = MemoryOptions.MaxLimit);
        var path = data.NotesPath("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string[] files =
        [
            "a\n§\nb\n", "a\r\n§\r\nb", "a\r§\rb", " a \n\n§\n\n b ", "a\n§\n\n§\nb\n§\n", "§\na\n§\n§\nb",
            "a\n  §\nb", "x\n§\ny\n§\nx", "\u001Fa\u001C\n§\n\u00A0b\u3000", "\n", "", "§", "a\n§\n§\n§\nb",
        ];

        foreach (var text in files)
        {
            File.WriteAllText(path, text, new UTF8Encoding(false));
            var expected = await PythonParseAsync(path);
            Assert.True(expected.SequenceEqual((await data.ReadAsync(Mei)).Notes), $"{JsonSerializer.Serialize(text)}: Hermes reads {JsonSerializer.Serialize(expected)}.");
        }
    }

    private static void RequirePython()
    {
        try
        {
            using var probe = ChildProcess.StartProgram("python3", "-c", "print('ok')");
            probe.WaitForExitAsync().GetAwaiter().GetResult();
            Assert.SkipUnless(probe.ExitCode == 0, "python3 does not run here: these tests need it to act as Hermes Agent's memory tool.");
        }
        catch (Win32Exception)
        {
            Assert.Skip("python3 is not installed: these tests need it to act as Hermes Agent's memory tool.");
        }
    }

    private static ChildProcess Python(params string[] args) => ChildProcess.StartProgram("python3", [Script, .. args]);

    // Runs a command to its end; its output (one line, or "" for none).
    private static async Task<string> PythonLineAsync(params string[] args)
    {
        using var python = Python(args);
        await python.WaitForExitAsync(cancellationToken: Ct);
        Assert.True(python.ExitCode == 0, python.Errors);
        return string.Join('\n', python.Lines);
    }

    private static async Task<List<string>> PythonParseAsync(string path) =>
        JsonSerializer.Deserialize<List<string>>(await PythonLineAsync("parse", path))!;
}
