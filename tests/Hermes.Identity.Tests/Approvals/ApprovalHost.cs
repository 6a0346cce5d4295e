using Hermes.Identity.Approvals;
using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Approvals;

// A real container over a data root with the real SQLite state store (state/identity.db): a "process" of the bot. Two
// of them over the same root are two processes sharing the store; one disposed and another made is a restart.
internal sealed class ApprovalHost : IAsyncDisposable
{
    // louis: owner (approval.grant); mei: operator (tool.exec only with an approval); ada: trusted (no exec, no approval.grant).
    public const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: operator
            accounts: { telegram: "222" }
          ada:
            role: trusted
            accounts: { telegram: "333" }
        roles:
          operator:
            inherits: trusted
            allow: [tool.exec]
            require_approval: [tool.exec]
        tools:
          terminal: exec
          read_file: files.read
        """;

    public const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    public const string OtherDigest = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private readonly PolicyTestHost _host;

    private ApprovalHost(PolicyTestHost host) => _host = host;

    public PolicyEngine Engine => _host.Engine;

    public Hermes.Identity.Approvals.Approvals Approvals => _host.Services.GetRequiredService<Hermes.Identity.Approvals.Approvals>();

    public Grants Grants => _host.Services.GetRequiredService<Grants>();

    public SwappableSnapshots Snapshots => _host.Snapshots;

    public string Root => _host.Root;

    public IServiceProvider Services => _host.Services;

    /// <param name="root">The data root to share (kept when the host is disposed); a fresh one, deleted with the host, when null.</param>
    public static ApprovalHost Create(string? root = null, string yaml = Yaml, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var host = PolicyTestHost.Create(yaml, b =>
        {
            b.AddSqliteState();
            if (time is not null)
            {
                b.Services.AddSingleton(time);
            }

            services?.Invoke(b.Services);
        }, root);
        host.KeepRoot = root is not null;
        return new ApprovalHost(host);
    }

    public IdentitySnapshot Parse(string yaml) => _host.Parse(yaml);

    /// <summary>Runs <paramref name="work"/> in a turn of its own on a flow of its own, as one incoming message is handled.</summary>
    public Task<T> As<T>(string userId, Func<Task<T>> work, string chat = "chat-1") => As(new SenderEnvelope("telegram", userId, chat), work);

    public Task<T> As<T>(SenderEnvelope sender, Func<Task<T>> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(async () =>
            {
                var resolution = await _host.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(sender);
                await using var turn = _host.Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
                return await work();
            });
        }
    }

    /// <summary>Mei's call of the terminal, in a turn of hers, in chat <paramref name="chat"/>.</summary>
    public Task<PolicyDecision> MeiCallsAsync(string callId = "call-1", string digest = Digest, string chat = "chat-mei", string userId = "222") =>
        As(userId, async () => await Engine.AuthorizeToolCallAsync("terminal", callId, digest), chat);

    public Task<PolicyDecision> ApproveAsync(string userId, string id, string chat = "chat-louis") =>
        As(userId, async () => await Approvals.ApproveAsync(id), chat);

    public Task<PolicyDecision> DenyAsync(string userId, string id, string chat = "chat-louis") =>
        As(userId, async () => await Approvals.DenyAsync(id), chat);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
