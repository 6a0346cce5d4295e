using System.Diagnostics;
using BenchmarkDotNet.Running;
using Hermes.Identity.Benchmarks;

// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*'
// Results land in BenchmarkDotNet.Artifacts/results; copy the *-report-github.md you cite into bench/results/.
// "seed-sessions" builds (or checks) the session benchmarks' kept data, SQLite and PostgreSQL, and says how long it took.
if (args is ["seed-sessions"])
{
    var clock = Stopwatch.StartNew();
    SessionBenchmarkData.EnsureBuilt();
    Console.WriteLine($"SQLite data ready after {clock.Elapsed.TotalSeconds:F0} s: {SessionBenchmarkData.Folder}");
    PostgresSessionData.StartSeeded().Dispose();
    Console.WriteLine($"PostgreSQL data ready after {clock.Elapsed.TotalSeconds:F0} s: {PostgresSessionData.Folder}");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
