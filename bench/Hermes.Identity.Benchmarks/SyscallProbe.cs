namespace Hermes.Identity.Benchmarks;

/// <summary>
/// Runs one AdapterBenchmarks method in a loop between two stats of marker paths, so that strace shows which system
/// calls one turn makes (on the project's VM every system call costs about 3 µs, so they dominate a turn).
/// </summary>
internal static class SyscallProbe
{
    public static async Task RunAsync(string method, int count)
    {
        var bench = new AdapterBenchmarks();
        bench.Setup();
        try
        {
            var run = typeof(AdapterBenchmarks).GetMethod(method) ?? throw new ArgumentException($"AdapterBenchmarks has no method {method}.");
            for (var i = 0; i < 20_000; i++)
            {
                await (Task)run.Invoke(bench, null)!;
            }

            File.Exists("/hermes-probe-start");
            for (var i = 0; i < count; i++)
            {
                await (Task)run.Invoke(bench, null)!;
            }

            File.Exists("/hermes-probe-end");
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
