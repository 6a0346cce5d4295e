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

    private PostgresServer? _server;
    private string _schema = null!;
    private TempDirectory _root = null!;
    private ServiceProvider _services = null!;
    private PolicyEngine _engine = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private TurnScope? _turn;

    // One host per benchmark (the current turn is one per async flow): the same decision without the audit...
    [GlobalSetup(Target = nameof(DecisionWithoutAudit))]
    public void SetupWithoutAudit()
    {
        Build(audited: false);
        _turn = _turns.BeginTurn(_mei); // current on this thread for every invocation, as in a host's agent loop
        if (!DecisionWithoutAudit().IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path.");
        }
    }

    // ...with it, one decision at a time...
    [GlobalSetup(Target = nameof(DecisionWithPostgreSqlAudit))]
    public void SetupWithAudit()
    {
        Build(audited: true);
        _turn = _turns.BeginTurn(_mei);
        if (!DecisionWithPostgreSqlAudit().GetAwaiter().GetResult().IsAllowed)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path, with its record written.");
        }
    }

    // ...and eight turns at once, each on its own task.
    [GlobalSetup(Target = nameof(EightTurnsDecidingAtOnce))]
    public void SetupConcurrent()
    {
        Build(audited: true);
        EightTurnsDecidingAtOnce().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn?.Dispose();
        _turn = null;
        if (_server is not null)
        {
            var verification = Hermes.Identity.PostgreSql.Audit.PostgreSqlAuditVerifier.VerifyAsync(_server.ConnectionString, _schema).GetAwaiter().GetResult();
            Console.WriteLine($"// audit chain after the run: {verification.RecordCount} records, intact: {verification.IsIntact}");
        }

        _services.Dispose();
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server = null;
        _root.Dispose();
    }

    [Benchmark(Baseline = true)]
    public PolicyDecision DecisionWithoutAudit()
    {
        var pending = _engine.AuthorizeToolCallAsync("read_file", "call", Digest);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task<PolicyDecision> DecisionWithPostgreSqlAudit() =>
        await _engine.AuthorizeToolCallAsync("read_file", "call", Digest);

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public async Task EightTurnsDecidingAtOnce()
    {
        var decisions = new Task<PolicyDecision>[Concurrent];
        for (var i = 0; i < Concurrent; i++)
        {
            decisions[i] = Task.Run(async () =>
            {
                await using var turn = _turns.BeginTurn(_mei);
                return await _engine.AuthorizeToolCallAsync("read_file", "call", Digest);
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

    private void Build(bool audited)
    {
        _root = new TempDirectory("bench-pgaudit");
        _root.Write("identities.yaml", Identities.Household(Identities.Tools));
        var services = new ServiceCollection();
        var builder = services.AddHermesIsolation(o => o.Root = _root.Path);
        if (audited)
        {
            _server = PostgresServer.StartNewAsync().GetAwaiter().GetResult();
            _schema = PostgresServer.NewSchema();
            builder.AddPostgreSqlAudit(o =>
            {
                o.ConnectionString = _server.ConnectionString;
                o.Schema = _schema;
            });
        }

        _services = services.BuildServiceProvider();
        _engine = _services.GetRequiredService<PolicyEngine>();
        _turns = _services.GetRequiredService<ITurnScopeFactory>();
        _mei = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", Identities.Mei)).AsTask().GetAwaiter().GetResult();
    }
}
