using Hermes.Identity.Turns;
using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Where one message's time and bytes go (see MessageBenchmarks): each part of it alone, on the same host, in one run.
//
// dotnet run -c Release --project bench/Hermes.Identity.Benchmarks -- --filter '*MessagePartsBenchmarks*'
[MemoryDiagnoser]
[Config(typeof(BeforeAfterConfig))]
public class MessagePartsBenchmarks
{
    private static readonly AsyncLocal<object?> Local = new();
    private static readonly object Value = new();

    private MessageBenchmarkHost _host = null!;
    private IIdentityResolver _resolver = null!;
    private ITurnScopeFactory _turns = null!;
    private IServiceScopeFactory _scopes = null!;
    private IIdentitySnapshotProvider _snapshots = null!;
    private IdentityResolution _resolution = null!;
    private PlatformPrincipal _principal;

    [Params(10, 100_000)]
    public int IdentityCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _host = MessageBenchmarkHost.Create(IdentityCount);
        _resolver = _host.Services.GetRequiredService<IIdentityResolver>();
        _turns = _host.Services.GetRequiredService<ITurnScopeFactory>();
        _scopes = _host.Services.GetRequiredService<IServiceScopeFactory>();
        _snapshots = _host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        _resolution = Resolve();
        _principal = new PlatformPrincipal(_host.Sender.Platform, _host.Sender.UserId);
    }

    [GlobalCleanup]
    public void Cleanup() => _host.Dispose();

    /// <summary>IIdentityResolver.ResolveAsync for a known sender.</summary>
    [Benchmark]
    public IdentityResolution Resolve()
    {
        var pending = _resolver.ResolveAsync(_host.Sender);
        return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>BeginTurn and dispose, nothing in between.</summary>
    [Benchmark]
    public AgentProfile BeginAndEndTurn()
    {
        using var turn = _turns.BeginTurn(_resolution);
        return turn.Profile;
    }

    /// <summary>BeginTurn, resolve one scoped service (the turn's context) and dispose: a turn that uses its DI scope.</summary>
    [Benchmark]
    public TurnContext BeginTurnUseScopeAndEnd()
    {
        using var turn = _turns.BeginTurn(_resolution);
        return turn.Services.GetRequiredService<TurnContext>();
    }

    /// <summary>What the DI container costs a turn: a scope, one scoped service, its disposal.</summary>
    [Benchmark]
    public object DiScopeWithOneScopedService()
    {
        using var scope = _scopes.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<TurnScopeState>();
    }

    /// <summary>Setting and clearing one AsyncLocal: a new ExecutionContext.</summary>
    [Benchmark]
    public object? AsyncLocalSetAndClear()
    {
        Local.Value = Value;
        var seen = Local.Value;
        Local.Value = null;
        return seen;
    }

    /// <summary>A turn id as TurnContext makes one.</summary>
    [Benchmark]
    public string NewTurnId() => Guid.CreateVersion7().ToString("N");

    /// <summary>The lookup BeginTurn re-checks the sender with.</summary>
    [Benchmark]
    public AgentProfile? SnapshotProfileLookup() => _snapshots.Current.TryGetProfile(_principal, out var profile) ? profile : null;

    /// <summary>The per-subject rules lookup each decision makes.</summary>
    [Benchmark]
    public object? RulesLookup() => _snapshots.Current.RoleTable.TryGetRules(_resolution.Profile!, out var rules, out _) ? rules : null;
}
