using System.Diagnostics;
using System.Globalization;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// A cross-check for BenchmarkDotNet on a busy machine: runs a few benchmark methods of one class (<c>Class.Method</c>)
/// in turns, batch after batch, and prints each method's fastest batch per operation. Load from other processes slows
/// every method alike within a round and rarely spares none of the rounds, so the minimum of each, taken over the same
/// rounds, is a steadier difference than two means measured minutes apart. Not a replacement for the committed reports.
/// </summary>
internal static class AlternatingTimer
{
    public static async Task RunAsync(IReadOnlyList<string> methods, int rounds, int batch)
    {
        var className = methods[0][..methods[0].IndexOf('.', StringComparison.Ordinal)];
        var type = typeof(AlternatingTimer).Assembly.GetType(typeof(AlternatingTimer).Namespace + "." + className) ?? throw new ArgumentException($"No benchmark class {className}.");
        var bench = Activator.CreateInstance(type)!;
        type.GetMethod("Setup")!.Invoke(bench, null);
        try
        {
            var runs = methods.Select(m => (Name: m, Run: (Func<Task>)Delegate.CreateDelegate(typeof(Func<Task>), bench, type.GetMethod(m[(m.IndexOf('.', StringComparison.Ordinal) + 1)..])!, throwOnBindFailure: false)!
                ?? WrapGeneric(bench, type, m))).ToList();
            var best = new double[runs.Count];
            Array.Fill(best, double.MaxValue);
            for (var round = -2; round < rounds; round++) // two rounds of warm-up
            {
                for (var i = 0; i < runs.Count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    for (var n = 0; n < batch; n++)
                    {
                        await runs[i].Run().ConfigureAwait(false);
                    }

                    var perOp = clock.Elapsed.TotalNanoseconds / batch;
                    if (round >= 0)
                    {
                        best[i] = Math.Min(best[i], perOp);
                    }
                }
            }

            for (var i = 0; i < runs.Count; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{runs[i].Name,-50} {best[i],10:F0} ns (fastest of {rounds} batches of {batch})"));
            }
        }
        finally
        {
            type.GetMethod("Cleanup")!.Invoke(bench, null);
        }
    }

    // A method returning Task<T>: called through reflection once per operation (the same overhead for every method).
    private static Func<Task> WrapGeneric(object bench, Type type, string method)
    {
        var info = type.GetMethod(method[(method.IndexOf('.', StringComparison.Ordinal) + 1)..]) ?? throw new ArgumentException($"{type.Name} has no method {method}.");
        return () => (Task)info.Invoke(bench, null)!;
    }
}
