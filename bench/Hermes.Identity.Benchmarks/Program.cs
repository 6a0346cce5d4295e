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

// `-- probe <Method> [count]` runs one AdapterBenchmarks method in a loop between two marker stats, for strace:
// strace -f -o trace.txt dotnet bin/Release/net10.0/Hermes.Identity.Benchmarks.dll probe Turn_hermes 1000
if (args is ["probe", var method, ..])
{
    await SyscallProbe.RunAsync(method, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1000);
    return;
}

// `-- alternate <rounds> <batch> Class.MethodA Class.MethodB ...` runs the methods in turns and prints each one's fastest
// batch (AlternatingTimer.cs): a cross-check of a difference on a busy machine.
if (args is ["alternate", var rounds, var batch, ..])
{
    await AlternatingTimer.RunAsync(args[3..], int.Parse(rounds, System.Globalization.CultureInfo.InvariantCulture), int.Parse(batch, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
