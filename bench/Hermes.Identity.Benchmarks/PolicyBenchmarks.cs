using System.Collections.Frozen;
using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// One tool-call decision on the allow path, as the rule count grows from 10 to 100,000 (see
// BuildSnapshot). Side by side in the same run: ASP.NET Core's
// IAuthorizationService deciding the same role check, and the plain reference evaluator.
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*PolicyBenchmarks*' --job short --memory
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private const string Member = "member";
    private const string Tool = "tool0";

    private ServiceProvider _services = null!;
    private PolicyEngine _engine = null!;
    private TurnScope _turn = null!;
    private IAuthorizationService _aspNet = null!;
    private ClaimsPrincipal _user = null!;
    private IReadOnlyDictionary<string, RoleDefinition> _roles = null!;
    private string _toolAction = null!;

    [Params(10, 1_000, 100_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var root = Path.Combine(Path.GetTempPath(), "hermes-bench-policy");
        var snapshot = BuildSnapshot(Rules, root);
        _roles = snapshot.Roles;
        _toolAction = PolicyActions.ForToolCategory(snapshot.Tools[Tool]);

        var services = new ServiceCollection();
        services.AddSingleton<IIdentitySnapshotProvider>(new FixedSnapshot(snapshot));
        services.AddHermesIsolation(o => o.Root = root);
        services.AddAuthorizationCore(o =>
        {
            // The same question for ASP.NET Core: a policy per tool category; the one measured is allowed
            // to exactly the roles whose rules allow it.
            var allowed = snapshot.Roles.Values.Where(r => (r.Name is Member or "base" or "r0" || r.Name == BuiltInRoles.Owner)).Where(r => ReferenceEvaluator.Decide(snapshot.Roles, r.Name, [], [], _toolAction) == PolicyEffect.Allow).Select(r => r.Name).ToArray();
            foreach (var category in snapshot.Tools.Values.Distinct())
            {
                var action = PolicyActions.ForToolCategory(category);
                o.AddPolicy(action, p => p.RequireRole(action == _toolAction ? allowed : [Member]));
            }
        });
        services.AddLogging();
        _services = services.BuildServiceProvider();
        _engine = _services.GetRequiredService<PolicyEngine>();
        _aspNet = _services.GetRequiredService<IAuthorizationService>();
        _user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "m0"), new Claim(ClaimTypes.Role, Member)], "bench"));

        // The turn stays current on this thread for every invocation, as it would for a host's agent loop.
        var resolution = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "1000")).AsTask().GetAwaiter().GetResult();
        _turn = _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);

        if (!HermesToolCall().IsAllowed || !AspNetCoreAuthorization() || ReferenceEvaluatorScan() != PolicyEffect.Allow)
        {
            throw new InvalidOperationException("The benchmark must measure the allow path.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _turn.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true)]
    public PolicyDecision HermesToolCall()
    {
        var pending = _engine.AuthorizeToolCallAsync(Tool, "call-1", "digest");
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public bool AspNetCoreAuthorization() => _aspNet.AuthorizeAsync(_user, _toolAction).GetAwaiter().GetResult().Succeeded;

    [Benchmark]
    public PolicyEffect ReferenceEvaluatorScan() => ReferenceEvaluator.Decide(_roles, Member, [], [], _toolAction);

    // N rules: half in 'base', the rest in roles of up to 100 rules; 'member' inherits 'base' and allows
    // its own tool, so a scan reads about half the rules while a lookup reads one entry. Every rule is
    // about some other tool, so the check stays on the allow path.
    internal static IdentitySnapshot BuildSnapshot(int ruleCount, string root)
    {
        var toolCount = Math.Max(10, ruleCount / 10);
        var tools = Enumerable.Range(0, toolCount).ToDictionary(i => "tool" + i, i => $"c{i}.run");
        var roles = new Dictionary<string, RoleDefinition>(BuiltInRoles.Definitions);
        var random = new Random(42);

        (List<string> Allow, List<string> Deny) Rules(int count)
        {
            var allow = new List<string>();
            var deny = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var k = 1 + random.Next(toolCount - 1);
                (i % 4 == 0 ? deny : allow).Add(i % 3 == 0 ? $"tool.c{k}.*" : $"tool.c{k}.run");
            }

            return (allow, deny);
        }

        var (baseAllow, baseDeny) = Rules(ruleCount / 2);
        roles["base"] = new RoleDefinition("base") { Allow = baseAllow, Deny = baseDeny };
        var rest = ruleCount - ruleCount / 2;
        for (var r = 0; rest > 0; r++)
        {
            var count = Math.Min(100, rest);
            rest -= count;
            var (allow, deny) = Rules(count);
            var name = rest == 0 ? Member : "r" + r;
            if (name == Member)
            {
                allow.Add("tool.c0.run");
            }

            roles[name] = new RoleDefinition(name) { Inherits = name == Member ? "base" : null, Allow = allow, Deny = deny };
        }

        var profiles = new Dictionary<string, AgentProfile>(StringComparer.Ordinal);
        var accounts = new Dictionary<PlatformPrincipal, AgentProfile>();
        for (var i = 0; i < Math.Max(1, ruleCount / 10); i++)
        {
            var principal = new PlatformPrincipal("telegram", (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var profile = new AgentProfile("m" + i, Member, Path.GetFullPath(root)) { Principals = [principal] };
            profiles[profile.Key] = profile;
            accounts[principal] = profile;
        }

        return new IdentitySnapshot(
            "bench",
            "bench",
            Path.GetFullPath(root),
            UnknownSenderPolicy.Deny,
            profiles.ToFrozenDictionary(StringComparer.Ordinal),
            accounts.ToFrozenDictionary(),
            roles.ToFrozenDictionary(StringComparer.Ordinal),
            tools.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed class FixedSnapshot(IdentitySnapshot snapshot) : IIdentitySnapshotProvider
    {
        public IdentitySnapshot Current => snapshot;
    }
}
