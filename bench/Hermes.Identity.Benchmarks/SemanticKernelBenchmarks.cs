using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// What Hermes.Identity.SemanticKernel's filters add to a kernel function call: the same kernel (a no-op native
/// function in plugin Files) with and without UseHermesIsolation(), CallsPerTurn calls inside one real turn.
/// Per tool call: (Calls_hermes − Calls_plain) / CallsPerTurn.
/// </summary>
[MemoryDiagnoser]
public class SemanticKernelBenchmarks
{
    public const int CallsPerTurn = 20;

    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei:
            role: trusted
            accounts: { telegram: "5550001" }
        tools:
          Files.read_file: files.read
        """;

    private string _root = null!;
    private ServiceProvider _plainServices = null!;
    private ServiceProvider _hermesServices = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private Kernel _plain = null!;
    private Kernel _hermes = null!;
    private KernelFunction _plainFunction = null!;
    private KernelFunction _hermesFunction = null!;
    private KernelArguments _arguments = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-sk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        _plainServices = Build(hermes: false);
        _hermesServices = Build(hermes: true);
        _turns = _hermesServices.GetRequiredService<ITurnScopeFactory>();
        _mei = _hermesServices.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "5550001")).AsTask().GetAwaiter().GetResult();
        _plain = _plainServices.GetRequiredService<Kernel>();
        _hermes = _hermesServices.GetRequiredService<Kernel>();
        _plainFunction = _plain.Plugins["Files"]["read_file"];
        _hermesFunction = _hermes.Plugins["Files"]["read_file"];
        _arguments = new KernelArguments { ["path"] = "notes.md" };

        // Both must do the same work: the calls run and are allowed.
        if (Calls_hermes().GetAwaiter().GetResult() != "ok" || _hermes.FunctionInvocationFilters.Count != 1)
        {
            throw new InvalidOperationException("The Hermes kernel did not run the call.");
        }
    }

    private ServiceProvider Build(bool hermes)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        var kernel = services.AddKernel();
        kernel.Plugins.AddFromFunctions("Files", [KernelFunctionFactory.CreateFromMethod((string path) => "ok", "read_file")]);
        if (hermes)
        {
            kernel.UseHermesIsolation();
        }

        return services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainServices.Dispose();
        _hermesServices.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<string?> Calls_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        string? last = null;
        for (var i = 0; i < CallsPerTurn; i++)
        {
            last = (await _plainFunction.InvokeAsync(_plain, _arguments)).GetValue<string>();
        }

        return last;
    }

    [Benchmark]
    public async Task<string?> Calls_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        string? last = null;
        for (var i = 0; i < CallsPerTurn; i++)
        {
            last = (await _hermesFunction.InvokeAsync(_hermes, _arguments)).GetValue<string>();
        }

        return last;
    }
}
