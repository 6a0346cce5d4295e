using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Hermes.Identity.Directories;
using Hermes.Identity.Pairing;
using Hermes.Identity.Policy;
using Hermes.Identity.PostgreSql;
using Hermes.Identity.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Benchmarks;

// Issue 11, replicas that agree: two replicas (two service providers, each with its own connection pool and its own
// LISTEN connection) on one schema of a throwaway PostgreSQL server (PostgresServer, as the tests start it). Measured:
// the time from a write on replica A (its call, so its COMMIT, included) until replica B's next decision says the new
// answer, with the directory and the paired accounts polled only once a minute, so it is the NOTIFY that carries it:
//   DirectoryDemotionSeenByOtherReplica: a directory person demoted (owner -> trusted) on A, then B's decision for them
//     spun until it is a deny (and promoted back, spun until an allow: two changes per invocation);
//   PairingRevocationSeenByOtherReplica: an account linked to the owner on A, then revoked on A, B's decision spun until
//     the account is a guest's deny (link and revoke: two changes per invocation).
// And LoadAll_1000000_FromPostgreSql: the whole PostgreSQL directory of 1,000,000 people read and merged with
// identities.yaml, what a replica's start-up does. Run in process: see bench/results/PostgreSqlReplicas.md.
[MemoryDiagnoser]
public class PostgreSqlReplicaBenchmarks
{
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis: { role: owner, accounts: { telegram: "111" } }
        roles:
          member:
            allow: [tool.exec, tool.web.*]
        tools:
          terminal: exec
          web_search: web.search
        """;

    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(30);

    private PostgresServer _server = null!;
    private TempDirectory _rootA = null!;
    private TempDirectory _rootB = null!;
    private ServiceProvider _a = null!;
    private ServiceProvider _b = null!;
    private PostgreSqlIdentityDirectory _directoryA = null!;
    private IIdentityResolver _resolverA = null!;
    private ITurnScopeFactory _turnsA = null!;
    private Pairings _pairingsA = null!;
    private IIdentityResolver _resolverB = null!;
    private ITurnScopeFactory _turnsB = null!;
    private PolicyEngine _engineB = null!;

    [Params(1_000_000)]
    public int People { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = PostgresServer.StartNewAsync().GetAwaiter().GetResult();
        const string schema = "bench";
        _rootA = new TempDirectory("bench-a");
        _rootB = new TempDirectory("bench-b");
        _rootA.Write("identities.yaml", Yaml);
        _rootB.Write("identities.yaml", Yaml);
        _a = Replica(_rootA.Path, schema);
        _b = Replica(_rootB.Path, schema);

        _directoryA = _a.GetRequiredService<PostgreSqlIdentityDirectory>();
        var seeding = Stopwatch.StartNew();
        for (var start = 0; start < People; start += 100_000)
        {
            _directoryA.SetManyAsync(Enumerable.Range(start, Math.Min(100_000, People - start)).Select(Person)).AsTask().GetAwaiter().GetResult();
        }

        Console.WriteLine($"// Seeded {People} people into PostgreSQL in {seeding.Elapsed.TotalSeconds:F1} s.");
        _resolverA = _a.GetRequiredService<IIdentityResolver>();
        _turnsA = _a.GetRequiredService<ITurnScopeFactory>();
        _pairingsA = _a.GetRequiredService<Pairings>();
        _resolverB = _b.GetRequiredService<IIdentityResolver>();
        _turnsB = _b.GetRequiredService<ITurnScopeFactory>();
        _engineB = _b.GetRequiredService<PolicyEngine>();
        if (LoadAll_1000000_FromPostgreSql().Profiles.Count != People + 1)
        {
            throw new InvalidOperationException("The load must see every person.");
        }

        // B's snapshot follows A's writes from here on (read whole once, then deltas).
        WaitFor(() => DecideOnB("telegram", (10_000_000 + 7).ToString(CultureInfo.InvariantCulture)) == PolicyEffect.Allow);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _a.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _b.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _rootA.Dispose();
        _rootB.Dispose();
    }

    // The whole directory read from PostgreSQL, the lookups built and merged with identities.yaml: what a start-up does.
    [Benchmark]
    public IdentitySnapshot LoadAll_1000000_FromPostgreSql()
    {
        using var provider = new DirectoryIdentitySnapshotProvider(
            _b.GetRequiredService<Configuration.YamlIdentitySnapshotProvider>(),
            _b.GetRequiredService<PostgreSqlIdentityDirectory>(),
            new IdentityDirectoryOptions { RefreshInterval = TimeSpan.FromMinutes(1) },
            TimeProvider.System,
            NullLogger.Instance);
        return provider.Current;
    }

    // Per change: A's write (COMMIT included) until B's next decision gives the new answer.
    [Benchmark(OperationsPerInvoke = 2)]
    public void DirectoryDemotionSeenByOtherReplica()
    {
        var person = Person(42);
        _directoryA.SetAsync(new DirectoryPerson(person.Key, "trusted", person.DisplayName, person.Accounts)).AsTask().GetAwaiter().GetResult();
        WaitFor(() => DecideOnB("telegram", "10000042") == PolicyEffect.Deny);
        _directoryA.SetAsync(person).AsTask().GetAwaiter().GetResult();
        WaitFor(() => DecideOnB("telegram", "10000042") == PolicyEffect.Allow);
    }

    [Benchmark(OperationsPerInvoke = 2)]
    public void PairingRevocationSeenByOtherReplica()
    {
        var code = AsLouisOnA(() => _pairingsA.CreateLinkCodeAsync().AsTask());
        _pairingsA.LinkAsync(new SenderEnvelope("discord", "5150", "dm", ChatKind.Direct, null), code.Code).AsTask().GetAwaiter().GetResult();
        WaitFor(() => DecideOnB("discord", "5150") == PolicyEffect.Allow);
        AsLouisOnA(() => _pairingsA.RevokeAccountAsync("discord", "5150").AsTask());
        WaitFor(() => DecideOnB("discord", "5150") == PolicyEffect.Deny);
    }

    private ServiceProvider Replica(string root, string schema)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root)
            .AddPostgreSqlState(o =>
            {
                o.ConnectionString = _server.ConnectionString;
                o.Schema = schema;
            })
            .AddPostgreSqlDirectory()
            .ConfigureIdentityDirectory(d => d.RefreshInterval = TimeSpan.FromMinutes(1))
            .ConfigurePairing(p => p.RefreshInterval = TimeSpan.FromMinutes(1));
        return services.BuildServiceProvider();
    }

    private PolicyEffect DecideOnB(string platform, string userId)
    {
        var resolution = _resolverB.ResolveAsync(new SenderEnvelope(platform, userId, "dm", ChatKind.Direct, null)).AsTask().GetAwaiter().GetResult();
        using var turn = _turnsB.BeginTurn(resolution);
        var pending = _engineB.AuthorizeToolCallAsync("terminal");
        return (pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult()).Effect;
    }

    private T AsLouisOnA<T>(Func<Task<T>> work)
    {
        var resolution = _resolverA.ResolveAsync(new SenderEnvelope("telegram", "111", "dm", ChatKind.Direct, null)).AsTask().GetAwaiter().GetResult();
        using var turn = _turnsA.BeginTurn(resolution);
        return work().GetAwaiter().GetResult();
    }

    // Asks again until the answer is there (yielding the core between tries); a hang fails the run.
    private static void WaitFor(Func<bool> done)
    {
        var started = Stopwatch.GetTimestamp();
        while (!done())
        {
            if (Stopwatch.GetElapsedTime(started) > GiveUp)
            {
                throw new TimeoutException($"The other replica did not follow within {GiveUp}.");
            }

            Thread.Yield();
        }
    }

    private static DirectoryPerson Person(int i) =>
        new($"p{i}", "member", $"Person {i}", [$"telegram:{10_000_000 + i}"]);
}
