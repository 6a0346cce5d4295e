using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Issue 11, the decision audit on PostgreSQL: one tool decision with AddPostgreSqlAudit on, in one process, against a
// throwaway server started by the tests' PostgresServer (initdb in a temp folder, Unix socket; it runs with fsync=off,
// so a commit's disk flush is not in these figures). Each decision appends one record to the one hash chain (the chain
// head row locked, the record inserted, the head moved, committed) before it returns. Sequential: one decision at a
// time, so appends per second = 1 / mean. Concurrent: 8 turns deciding at once (OperationsPerInvoke = 8), queueing on
// the chain head. Beside them, the same decision without the audit.
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*PostgreSqlAuditBenchmarks*' --job short --inProcess --memory
[MemoryDiagnoser]
public class PostgreSqlAuditBenchmarks
{
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const int Concurrent = 8;

    private PostgresServer _server = null!;
    private TempDirectory _root = null!;
    private ServiceProvider _audited = null!;
    private ServiceProvider _plain = null!;
    private PolicyEngine _auditedEngine = null!;
    private PolicyEngine _plainEngine = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private TurnScope _auditedTurn = null!;
    private TurnScope _plainTurn = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = PostgresServer.StartNewAsync().GetAwaiter().GetResult();
        _root = new TempDirectory("bench-pgaudit");
        _root.Write("identities.yaml", Identities.Household(Identities.Tools));
        var schema = PostgresServer.NewSchema();
        _audited = Build(b => b.AddPostgreSqlAudit(o =>
        {
            o.ConnectionString = _server.ConnectionString;
            o.Schema = schema;
        }));
        _plain = Build(_ => { });
        _auditedEngine = _audited.GetRequiredService<PolicyEngine>();
        _plainEngine = _plain.GetRequiredService<PolicyEngine>();
        _turns = _audited.GetRequiredService<ITurnScopeFactory>();
        _mei = _audited.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", Identities.Mei)).AsTask().GetAwaiter().GetResult();
        var plainMei = _plain.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", Identities.Mei)).AsTask().GetAwaiter().GetResult();

        // The turns stay current on this thread for every invocation, as they would for a host's agent loop.
        _plainTurn = _plain.GetRequiredService<ITurnScopeFactory>().BeginTurn(plainMei);
        _auditedTurn = _turns.BeginTurn(_mei);
        if (!DecisionWithPostgreSqlAudit().GetAwaiter().GetResult().IsAllowed || !DecisionWithoutAudit().IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path, with its record written.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _auditedTurn.Dispose();
        _plainTurn.Dispose();
        var verification = Hermes.Identity.PostgreSql.Audit.PostgreSqlAuditVerifier.VerifyAsync(_server.ConnectionString, _audited.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hermes.Identity.PostgreSql.PostgreSqlOptions>>().Value.Schema).GetAwaiter().GetResult();
        Console.WriteLine($"// audit chain after the run: {verification.RecordCount} records, intact: {verification.IsIntact}");
        _audited.Dispose();
        _plain.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _root.Dispose();
    }

    [Benchmark(Baseline = true)]
    public PolicyDecision DecisionWithoutAudit()
    {
        var pending = _plainEngine.AuthorizeToolCallAsync("read_file", "call", Digest);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<PolicyDecision> DecisionWithPostgreSqlAudit() =>
        await _auditedEngine.AuthorizeToolCallAsync("read_file", "call", Digest);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public async Task EightTurnsDecidingAtOnce()
    {
        var decisions = new Task<PolicyDecision>[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            decisions[i] = Task.Run(async () =>
            {
                await using var turn = _turns.BeginTurn(_mei);
                return await _auditedEngine.AuthorizeToolCallAsync("read_file", "call", Digest);
            });
        }

        foreach (var decision in await Task.WhenAll(decisions))
        {
            if (!decision.IsAllowed)
            {
                throw new InvalidOperationException($"A decision was refused: {decision.Reason}");
            }
        }
    }

    private ServiceProvider Build(Action<IHermesIsolationBuilder> audit)
    {
        var services = new ServiceCollection();
        audit(services.AddHermesIsolation(o => o.Root = _root.Path));
        return services.BuildServiceProvider();
    }
}
