using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*'
// Results land in BenchmarkDotNet.Artifacts/results; copy the *-report-github.md you cite into bench/results/.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
