using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// Before and after a change, side by side in one run: with <c>HERMES_BENCH_BEFORE</c> set to a checkout of the
/// code before the change (its <c>src/</c> and the root build files), the benchmarks run twice, job <c>before</c>
/// built against that checkout and job <c>after</c> against this one. Without it, the default job alone.
/// BenchmarkDotNet builds each job in its own artifacts folder, so the two builds never share an output.
/// </summary>
/// <example>
/// <code>
/// git archive &lt;before&gt; src Directory.Build.props Directory.Build.targets Directory.Packages.props global.json | tar -x -C /tmp/hermes-before
/// HERMES_BENCH_BEFORE=/tmp/hermes-before dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*MessageBenchmarks*'
/// </code>
/// </example>
public sealed class BeforeAfterConfig : ManualConfig
{
    public BeforeAfterConfig()
    {
        var before = Environment.GetEnvironmentVariable("HERMES_BENCH_BEFORE");
        if (string.IsNullOrEmpty(before))
        {
            return;
        }

        if (!File.Exists(Path.Combine(before, "src", "Hermes.Identity", "Hermes.Identity.csproj")))
        {
            throw new InvalidOperationException($"HERMES_BENCH_BEFORE={before} holds no src/Hermes.Identity/Hermes.Identity.csproj.");
        }

        AddJob(Job.Default.WithId("before").WithArguments([new MsBuildArgument($"/p:HermesSourceRoot={Path.GetFullPath(before)}")]));
        AddJob(Job.Default.WithId("after"));
    }
}
