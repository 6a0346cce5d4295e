namespace Hermes.Identity.Benchmarks;

/// <summary>
/// Runs one benchmark method in a loop between two stats of marker paths, so that strace shows which system calls one
/// turn makes (on the project's VM every system call costs about 3 µs, so they dominate a turn). The method is an
/// AdapterBenchmarks method by name, or <c>Class.Method</c> for another benchmark class with Setup and Cleanup.
/// </summary>
internal static class SyscallProbe
{
    public static async Task RunAsync(string method, int count)
    {
        var dot = method.IndexOf('.', StringComparison.Ordinal);
        var type = dot < 0
            ? typeof(AdapterBenchmarks)
            : typeof(SyscallProbe).Assembly.GetType(typeof(SyscallProbe).Namespace + "." + method[..dot]) ?? throw new ArgumentException($"No benchmark class {method[..dot]}.");
        var name = dot < 0 ? method : method[(dot + 1)..];
        var bench = Activator.CreateInstance(type)!;
        type.GetMethod("Setup")!.Invoke(bench, null);
        try
        {
            var run = type.GetMethod(name) ?? throw new ArgumentException($"{type.Name} has no method {name}.");
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
            type.GetMethod("Cleanup")!.Invoke(bench, null);
        }
    }
}
