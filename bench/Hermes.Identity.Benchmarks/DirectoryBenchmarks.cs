using System.Collections.Frozen;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Hermes.Identity.Configuration;
using Hermes.Identity.Directories;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.Profiles;
using Hermes.Identity.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Benchmarks;

// Issue 11 targets, identity directories: 1,000,000 people load (the SQLite file read whole, the lookups built, merged
// with identities.yaml) in at most 2 s and 500 MB; resolving a directory person stays flat, at most 100 ns at 1,000,000
// beside 1,000; one person added, changed or removed is a delta (no rebuild); a decision for a directory person costs
// what a decision costs. The SQLite file is made once per size under /tmp and reused by later runs. Run in process
// (--inProcess --launchCount 1 --warmupCount 2 --iterationCount 7): see bench/results/Directory.md.
[MemoryDiagnoser]
public class DirectoryBenchmarks
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          louis: { role: owner, accounts: { telegram: "1" } }
        roles:
          member:
            allow: [tool.exec, tool.web.*]
        tools:
          terminal: exec
          web_search: web.search
        """;

    private ServiceProvider _services = null!;
    private YamlIdentitySnapshotProvider _yaml = null!;
    private SqliteIdentityDirectory _directory = null!;
    private SnapshotIdentityResolver _resolver = null!;
    private SenderEnvelope _known = null!;
    private IdentitySnapshot _snapshot = null!;
    private DirectoryChanges _oneChange = null!;
    private PolicyEngine _engine = null!;
    private TurnScope _turn = null!;

    [Params(1_000, 1_000_000)]
    public int People { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = Path.Combine(Path.GetTempPath(), "hermes-bench-directory-" + People.ToString(CultureInfo.InvariantCulture));
        System.IO.Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "identities.yaml"), Yaml);
        using (var seed = new SqliteIdentityDirectory(SqliteIdentityDirectory.DatabasePathUnder(root)))
        {
            if (seed.GetVersionAsync().AsTask().GetAwaiter().GetResult() == 0)
            {
                seed.SetManyAsync(Enumerable.Range(0, People).Select(Person)).AsTask().GetAwaiter().GetResult();
            }
        }

        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root).AddSqliteDirectory();
        _services = services.BuildServiceProvider();
        _yaml = _services.GetRequiredService<YamlIdentitySnapshotProvider>();
        _directory = _services.GetRequiredService<SqliteIdentityDirectory>();
        var snapshots = _services.GetRequiredService<IIdentitySnapshotProvider>();
        _snapshot = snapshots.Current;
        if (_snapshot.Profiles.Count != People + 1)
        {
            throw new InvalidOperationException($"Expected {People + 1} people, found {_snapshot.Profiles.Count}.");
        }

        _resolver = new SnapshotIdentityResolver(snapshots, new HermesMetrics());
        _known = new SenderEnvelope("telegram", (10_000_000 + People / 2).ToString(CultureInfo.InvariantCulture), "chat", ChatKind.Group, "someone");
        _oneChange = new DirectoryChanges(_snapshot.DirectoryLayer!.Version + 1, [Person(People / 3) is var p ? new DirectoryPerson(p.Key, "owner", p.DisplayName, p.Accounts) : null!], []);

        _engine = _services.GetRequiredService<PolicyEngine>();
        var resolution = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(_known).AsTask().GetAwaiter().GetResult();
        _turn = _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        if (ResolveDirectoryPerson()?.Key != $"p{People / 2}" || !DecideForDirectoryPerson().IsAllowed || LoadAll().Profiles.Count != People + 1)
        {
            throw new InvalidOperationException("The benchmark must resolve a directory person, load everyone and measure the allow path.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn.Dispose();
        _services.Dispose();
    }

    // The whole directory read from SQLite, the lookups built and merged with identities.yaml: what a start-up does.
    [Benchmark]
    public IdentitySnapshot LoadAll()
    {
        using var provider = new DirectoryIdentitySnapshotProvider(_yaml, _directory, new IdentityDirectoryOptions { RefreshInterval = TimeSpan.FromMinutes(1) }, TimeProvider.System, NullLogger.Instance);
        return provider.Current;
    }

    [Benchmark(Baseline = true)]
    public AgentProfile? ResolveDirectoryPerson() => _resolver.ResolveAsync(_known).Result.Profile;

    // One person changed: the new version of the people (the base shared) and the snapshot over it (identities.yaml's part shared).
    [Benchmark]
    public IdentitySnapshot ApplyOneChange()
    {
        var people = _snapshot.DirectoryLayer!.Apply(_oneChange);
        return _yaml.Current.WithDirectory("bench+d" + people.Version.ToString(CultureInfo.InvariantCulture), people, _snapshot.Shadowed);
    }

    [Benchmark]
    public PolicyDecision DecideForDirectoryPerson()
    {
        var pending = _engine.AuthorizeToolCallAsync("terminal", "call-1", "digest");
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    private static DirectoryPerson Person(int i) =>
        new($"p{i}", "member", $"Person {i}", [$"telegram:{10_000_000 + i}"]);
}
