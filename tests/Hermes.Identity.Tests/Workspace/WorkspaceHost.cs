using Hermes.Identity.Policy;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Workspace;

// The library as a host uses it: AddHermesIsolation over a temp data root with identities.yaml, the built-in roles,
// and a turn per sender. louis is the owner, mei trusted, gina a guest, noreader a trusted person whose own rules
// deny workspace.read. Policy records what the engine asks once the roles allowed it.
internal sealed class WorkspaceHost : IAsyncDisposable
{
    private static readonly string Yaml = Identities.Household(
        Identities.Person("gina", "guest", "333"),
        Identities.Person("noreader", "trusted", "444", "deny: [workspace.read]"))
        .Replace("unknown_senders: guest", "unknown_senders: deny", StringComparison.Ordinal);

    private readonly HermesHost _host;

    /// <param name="configure">Workspace options.</param>
    /// <param name="roles">A <c>roles:</c> section to append to the identities file.</param>
    /// <param name="more">More services, such as a second policy backend.</param>
    public WorkspaceHost(Action<WorkspaceOptions>? configure = null, string? roles = null, Action<IServiceCollection>? more = null)
    {
        Tree = new WorkspaceTree();
        _host = new HermesHost(
            Yaml + "\n" + roles,
            configure: services =>
            {
                services.AddSingleton<IPolicyBackend>(Policy);
                if (configure is not null)
                {
                    services.Configure(configure);
                }

                more?.Invoke(services);
            },
            folder: Tree.Folder);
    }

    public WorkspaceTree Tree { get; }

    public IServiceProvider Services => _host.Services;

    public RecordingPolicyBackend Policy { get; } = new();

    /// <summary>Begins a turn for telegram user <paramref name="userId"/>. Synchronous on purpose: the current
    /// profile is an AsyncLocal, and one set inside an async helper would not flow back to the test.</summary>
    public TurnScope BeginTurn(string userId) => _host.Begin("telegram", userId);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
