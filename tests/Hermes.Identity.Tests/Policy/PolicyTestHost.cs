using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// A real container with AddHermesIsolation over a temp data root and a snapshot the test can swap.
internal sealed class PolicyTestHost : IAsyncDisposable
{
    // louis (owner, telegram:111), mei (trusted, 222), ada (guest, 333) and the story's tools.
    public static readonly string StandardYaml = Identities.Household(Identities.Person("ada", "guest", "333"), Identities.Tools);

    private readonly ServiceProvider _services;

    private PolicyTestHost(string root, IdentitySnapshot snapshot, Action<IHermesIsolationBuilder>? configure)
    {
        Root = root;
        Snapshots = new SwappableSnapshots(snapshot);
        var services = new ServiceCollection();
        services.AddSingleton<IIdentitySnapshotProvider>(Snapshots);
        var builder = services.AddHermesIsolation(o => o.Root = root);
        configure?.Invoke(builder);
        _services = services.BuildServiceProvider();
        Engine = _services.GetRequiredService<PolicyEngine>();
    }

    public string Root { get; }

    public SwappableSnapshots Snapshots { get; }

    public PolicyEngine Engine { get; }

    public IServiceProvider Services => _services;

    /// <param name="yaml">The identities; <see cref="StandardYaml"/> when null.</param>
    /// <param name="root">A data root to use (and keep with <see cref="KeepRoot"/>); a fresh temp folder when null.</param>
    public static PolicyTestHost Create(string? yaml = null, Action<IHermesIsolationBuilder>? configure = null, string? root = null)
    {
        root ??= new TempDirectory("policy").Path;
        Directory.CreateDirectory(root);
        return new PolicyTestHost(root, IdentitySnapshot.Parse(yaml ?? StandardYaml, root), configure);
    }

    public IdentitySnapshot Parse(string yaml) => IdentitySnapshot.Parse(yaml, Root);

    /// <summary>Resolves the sender and begins a turn on the caller's async flow; dispose it to end the turn.</summary>
    public TurnScope BeginTurn(string userId, string platform = "telegram", ChatKind chatKind = ChatKind.Direct)
    {
        var resolution = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope(platform, userId, "chat-1", chatKind)).AsTask().GetAwaiter().GetResult();
        return _services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
    }

    public AgentProfile Profile(string key) => Snapshots.Current.Profiles[key];

    public bool KeepRoot { get; set; }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (!KeepRoot)
        {
            Folders.DeleteWithRetry(Root);
        }
    }
}
