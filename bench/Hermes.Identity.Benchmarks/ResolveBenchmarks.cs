using System.Text;
using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Configuration.Yaml;
using Hermes.Identity.Internal;
using Hermes.Identity.Profiles;

namespace Hermes.Identity.Benchmarks;

// Issue 2 target: resolving a known sender against a loaded snapshot, ≤ 200 ns and 0 B, flat from 10 to 100,000 identities.
[MemoryDiagnoser]
public class ResolveBenchmarks
{
    private SnapshotIdentityResolver _resolver = null!;
    private SenderEnvelope _known = null!;
    private SenderEnvelope _unknownDenied = null!;

    [Params(10, 100_000)]
    public int Identities { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new StringBuilder("version: 1\nunknown_senders: deny\nidentities:\n");
        for (var i = 0; i < Identities; i++)
        {
            yaml.Append("  p").Append(i).Append(": { role: ").Append(i == 0 ? "owner" : "trusted")
                .Append(", accounts: { telegram: \"").Append(1_000_000 + i).Append("\", discord: \"d").Append(i).Append("\" } }\n");
        }

        var snapshot = IdentitiesYamlReader.Read(yaml.ToString(), "bench.yaml", "/tmp/hermes-bench", int.MaxValue, int.MaxValue);
        _resolver = new SnapshotIdentityResolver(new Fixed(snapshot), new HermesMetrics());
        _known = new SenderEnvelope("telegram", (1_000_000 + Identities / 2).ToString(System.Globalization.CultureInfo.InvariantCulture), "chat", ChatKind.Group, "Louis (owner)");
        _unknownDenied = new SenderEnvelope("telegram", "nobody");
    }

    [Benchmark(Baseline = true)]
    public AgentProfile? ResolveKnownSender() => _resolver.ResolveAsync(_known).Result.Profile;

    [Benchmark]
    public string? RejectUnknownSender() => _resolver.ResolveAsync(_unknownDenied).Result.RejectionReason;

    private sealed class Fixed(IdentitySnapshot snapshot) : IIdentitySnapshotProvider
    {
        public IdentitySnapshot Current => snapshot;
    }
}
