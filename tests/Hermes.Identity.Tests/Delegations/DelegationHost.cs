using Hermes.Identity.Configuration;
using Hermes.Identity.Delegations;
using Hermes.Identity.Policy;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Delegations;

// A host as a real one is built for delegations: AddHermesIsolation over identities.yaml in a temp folder, the real
// SQLite state store (AddSqliteState), the audit file on, and a clock the test moves. Restart() builds a new provider over
// the same folder, as a new process would.
internal sealed class DelegationHost : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("delegation");
    private readonly bool _withStore;

    public DelegationHost(string yaml = Identities.Story, bool withStore = true)
    {
        _withStore = withStore;
        _folder.Write("identities.yaml", yaml);
        Services = Build();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero));

    public ServiceProvider Services { get; private set; }

    public string Root => _folder.Path;

    public string AuditFile => Path.Combine(Root, "audit", "decisions.jsonl");

    public DelegationRegistry Registry => Services.GetRequiredService<DelegationRegistry>();

    public ITurnScopeFactory Turns => Services.GetRequiredService<ITurnScopeFactory>();

    public PolicyEngine Policy => Services.GetRequiredService<PolicyEngine>();

    public ICurrentProfile Current => Services.GetRequiredService<ICurrentProfile>();

    public IIdentityStateStore Store => Services.GetRequiredService<IIdentityStateStore>();

    // Runs `work` in a turn of the telegram account `userId` (Identities.Mei, Identities.Louis, ...).
    public async Task<T> AsAsync<T>(string userId, Func<TurnScope, Task<T>> work)
    {
        var result = default(T)!;
        var resolution = await Turns.RunTurnAsync(new SenderEnvelope("telegram", userId), async turn => result = await work(turn), TestContext.Current.CancellationToken);
        Assert.True(resolution.IsAdmitted, resolution.RejectionReason);
        return result;
    }

    // Mei, in her own turn, creates a delegation.
    public Task<Delegation> MeiCreatesAsync(string job, string[]? actions = null, TimeSpan? lifetime = null) =>
        AsAsync(Identities.Mei, _ => Registry.CreateAsync(job, actions, lifetime, TestContext.Current.CancellationToken));

    // Runs a delegated turn and returns what the body returned.
    public async Task<T> RunJobAsync<T>(string delegationId, Func<TurnScope, Task<T>> work)
    {
        var result = default(T)!;
        await Turns.RunDelegatedTurnAsync(delegationId, async turn => result = await work(turn), TestContext.Current.CancellationToken);
        return result;
    }

    public void Reload(string yaml)
    {
        File.WriteAllText(Path.Combine(Root, "identities.yaml"), yaml);
        var provider = Services.GetRequiredService<YamlIdentitySnapshotProvider>();
        Assert.True(provider.TryReload(out var error), error?.Message);
    }

    public async Task RestartAsync()
    {
        await Services.DisposeAsync();
        Services = Build();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        _folder.Dispose();
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        var builder = services.AddHermesIsolation(o => o.Root = _folder.Path).ConfigurePolicy(o => o.WriteAuditFile = true);
        if (_withStore)
        {
            builder.AddSqliteState();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
