using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// A real container with AddHermesIsolation over a temp data root and a snapshot the test can swap.
internal sealed class PolicyTestHost : IAsyncDisposable
{
    public const string StandardYaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
          ada:
            role: guest
            accounts: { telegram: "333" }
        tools:
          terminal: exec
          execute_code: exec
          read_file: files.read
          search_files: files.read
          write_file: files.write
          web_search: web.search
          memory: memory
          session_search: sessions
        """;

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

    public static PolicyTestHost Create(string yaml = StandardYaml, Action<IHermesIsolationBuilder>? configure = null, string? root = null)
    {
        root ??= Path.Combine(Path.GetTempPath(), "hermes-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        return new PolicyTestHost(root, IdentitySnapshot.Parse(yaml, root), configure);
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
        if (KeepRoot)
        {
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
