using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// "Tighten the core", Speed: what one message costs the host, and one decision inside a turn, at 10 and at
// 100,000 identities. Targets: one message ≤ 1 µs and ≤ 300 B; a decision ≤ 100 ns and 0 B, flat in the
// number of identities. No logger and no listener, as the library's default.
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*MessageBenchmarks*'
[MemoryDiagnoser]
[Config(typeof(BeforeAfterConfig))]
public class MessageBenchmarks
{
    private const string Tool = "read_file";

    private MessageBenchmarkHost _host = null!;
    private IIdentityResolver _resolver = null!;
    private ITurnScopeFactory _turns = null!;
    private PolicyEngine _policy = null!;
    private SenderEnvelope _sender = null!;
    private TurnScope? _turn;

    [Params(10, 100_000)]
    public int IdentityCount { get; set; }

    [GlobalSetup(Target = nameof(OneMessage))]
    public void SetupMessage()
    {
        Build();
        if (!OneMessage().IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path.");
        }
    }

    [GlobalSetup(Target = nameof(DecisionInTurn))]
    public void SetupDecision()
    {
        Build();

        // The turn stays current on this thread for every invocation, as it would for a host's agent loop.
        _turn = _turns.BeginTurn(Resolve());
        if (!DecisionInTurn().IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn?.Dispose();
        _host.Dispose();
    }

    /// <summary>One message for a known sender: resolve, begin the turn, one tool decision, end the turn.</summary>
    [Benchmark]
    public PolicyDecision OneMessage()
    {
        var resolution = Resolve();
        using var turn = _turns.BeginTurn(resolution);
        return Decide();
    }

    /// <summary>One tool decision inside a turn begun in setup.</summary>
    [Benchmark]
    public PolicyDecision DecisionInTurn() => Decide();

    private IdentityResolution Resolve()
    {
        var pending = _resolver.ResolveAsync(_sender);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private PolicyDecision Decide()
    {
        var pending = _policy.AuthorizeToolCallAsync(Tool);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private void Build()
    {
        _host = MessageBenchmarkHost.Create(IdentityCount);
        _sender = _host.Sender;
        _resolver = _host.Services.GetRequiredService<IIdentityResolver>();
        _turns = _host.Services.GetRequiredService<ITurnScopeFactory>();
        _policy = _host.Services.GetRequiredService<PolicyEngine>();
    }
}
