using Hermes.Identity.Policy;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Workspace;

// The library as a host uses it: AddHermesIsolation over a temp data root with identities.yaml,
// a real policy backend, and a turn per sender. louis is the owner, mei trusted, gina a guest,
// noreader a trusted person whose own rules deny workspace.read.
internal sealed class WorkspaceHost : IAsyncDisposable
{
    private const string Identities = """
        version: 1
        unknown_senders: deny
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
          gina:
            role: guest
            accounts: { telegram: "333" }
          noreader:
            role: trusted
            accounts: { telegram: "444" }
            deny: [workspace.read]
        """;

    private readonly ServiceProvider _services;

    /// <param name="configure">Workspace options.</param>
    /// <param name="roles">A <c>roles:</c> section to append to the identities file.</param>
    /// <param name="more">More services, such as a second policy backend.</param>
    public WorkspaceHost(Action<WorkspaceOptions>? configure = null, string? roles = null, Action<IServiceCollection>? more = null)
    {
        Tree = new WorkspaceTree();
        File.WriteAllText(Path.Combine(Tree.Root, "identities.yaml"), Identities + "\n" + roles);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = Tree.Root);
        services.AddSingleton(sp => new RolePatternPolicyBackend(sp.GetRequiredService<IIdentitySnapshotProvider>()));
        services.AddSingleton<IPolicyBackend>(sp => sp.GetRequiredService<RolePatternPolicyBackend>());
        if (configure is not null)
        {
            services.Configure(configure);
        }

        more?.Invoke(services);

        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public WorkspaceTree Tree { get; }

    public IServiceProvider Services => _services;

    public RolePatternPolicyBackend Policy => _services.GetRequiredService<RolePatternPolicyBackend>();

    /// <summary>Begins a turn for telegram user <paramref name="userId"/>. Synchronous on purpose: the current
    /// profile is an AsyncLocal, and one set inside an async helper would not flow back to the test.</summary>
    public TurnScope BeginTurn(string userId)
    {
        var resolution = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", userId), TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult();
        return _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Tree.Dispose();
    }
}
