using BenchmarkDotNet.Attributes;
using Hermes.Identity.Memory;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// How soon an edit made outside the store reaches a read with the default folder watch (WatchForOutsideEdits = true):
/// Edit_until_seen writes MEMORY.md in place (the way an editor or another program would) and reads through the store
/// until the new entry comes back; Edit_only writes the same bytes and reads once. The difference is the time from the
/// write's return to the first read that sees it: the kernel's notice travelling to the watcher thread.
/// Read_unchanged is a read of an unchanged watched file (the per-file cost of a turn's memory read).
/// </summary>
[MemoryDiagnoser]
public class MemoryWatchBenchmarks
{
    private string _folder = null!;
    private string _path = null!;
    private MemoryFileStore _store = null!;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "hermes-bench-watch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _path = Path.Combine(_folder, "MEMORY.md");
        File.WriteAllText(_path, "entry 0");
        _store = new MemoryFileStore(Options.Create(new MemoryOptions()), TimeProvider.System);
        if (MemoryFolderWatcher.Shared is null)
        {
            throw new InvalidOperationException($"Memory folders cannot be watched here: {MemoryFolderWatcher.SharedUnavailableReason ?? "not Linux"}.");
        }

        _store.Read(_path);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public int Edit_only()
    {
        Write();
        return _store.Read(_path).Count;
    }

    [Benchmark]
    public int Edit_until_seen()
    {
        var expected = Write();
        var spins = 0;
        while (_store.Read(_path)[0] != expected)
        {
            spins++;
        }

        return spins;
    }

    [Benchmark]
    public int Read_unchanged() => _store.Read(_path).Count;

    // Same length every time (so a size check alone could not tell), written in place.
    private string Write()
    {
        var text = "entry " + (++_round % 10);
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return text;
    }
}
