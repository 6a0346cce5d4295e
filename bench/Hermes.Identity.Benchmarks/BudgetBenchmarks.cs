using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Issue 9, Speed: a tool decision with budgets in force, beside the plain decision of MessageBenchmarks. Target: at most
// 150 ns and 0 B on the allow path. The same host as MessageBenchmarks (a real identities.yaml of N people, no logger, no
// listener), plus the real SQLite state store (AddSqliteState) and, for the budgets rows, budgets on the trusted role:
// turns per hour, tool.files per hour and per day (the decision's read_file call draws on both), tokens per day. The
// limits are high so that every call measured is allowed and counted; the ledger's one-second flush runs as in a host.
// The budgets rows also have a grant in force for the person measured (issued by the owner in setup).
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*BudgetBenchmarks*'
[MemoryDiagnoser]
public class BudgetBenchmarks
{
    private const string Tool = "read_file";

    private const string Budgets = """
        roles:
          trusted:
            budgets:
              turns: { hour: 1000000000000 }
              tool.files: { hour: 1000000000000, day: 1000000000000 }
              tokens: { day: 1000000 }

        """;

    private MessageBenchmarkHost _host = null!;
    private PolicyEngine _policy = null!;
    private TurnScope _turn = null!;

    [Params(10, 100_000)]
    public int IdentityCount { get; set; }

    [GlobalSetup(Target = nameof(DecisionInTurn))]
    public void SetupPlain() => Setup(null);

    [GlobalSetup(Target = nameof(DecisionInTurnWithBudgets))]
    public void SetupBudgets() => Setup(Budgets);

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn.Dispose();
        _host.Dispose();
    }

    /// <summary>One tool decision inside a turn, no budgets configured (the plain decision, with the state store registered).</summary>
    [Benchmark(Baseline = true)]
    public PolicyDecision DecisionInTurn() => Decide();

    /// <summary>
    /// One tool decision inside a turn, the call counted against two budgets (tool.files per hour and per day), with a
    /// grant in force for the same person (tool.exec, 3 uses in the next hour: what the roles allow never consults it).
    /// </summary>
    [Benchmark]
    public PolicyDecision DecisionInTurnWithBudgets() => Decide();

    private PolicyDecision Decide()
    {
        var pending = _policy.AuthorizeToolCallAsync(Tool);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private void Setup(string? roles)
    {
        _host = MessageBenchmarkHost.Create(IdentityCount, roles, isolation => isolation.AddSqliteState());
        _policy = _host.Services.GetRequiredService<PolicyEngine>();
        var resolver = _host.Services.GetRequiredService<IIdentityResolver>();
        var pending = resolver.ResolveAsync(_host.Sender);
        var resolution = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

        if (roles is not null)
        {
            // A grant in force for the person measured, issued by the owner (p0) in a turn of his own.
            var key = _host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current.TryGetProfile(_host.Sender.Platform, _host.Sender.UserId, out var subject)
                ? subject!.Key
                : throw new InvalidOperationException("The sender must be configured.");
            _host.Services.GetRequiredService<ITurnScopeFactory>().RunTurnAsync(new SenderEnvelope("telegram", "1000000"), async _ =>
                await _host.Services.GetRequiredService<Hermes.Identity.Approvals.Grants>().IssueAsync(key, "tool.exec", 3, TimeSpan.FromHours(1))).GetAwaiter().GetResult();
        }

        // The turn stays current on this thread for every invocation, as it would for a host's agent loop.
        _turn = _host.Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        var first = Decide();
        if (!first.IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path: " + first.Reason);
        }

        if (roles is not null && _host.Services.GetRequiredService<Hermes.Identity.Budgets.BudgetLedger>().GetUsageAsync(_turn.Profile.Key).AsTask().GetAwaiter().GetResult()
            .Single(u => u.Counter == "tool.files" && u.Window == BudgetWindow.Hour).Used != 1)
        {
            throw new InvalidOperationException("The budgets must be in force: the decision must have been counted.");
        }
    }
}
