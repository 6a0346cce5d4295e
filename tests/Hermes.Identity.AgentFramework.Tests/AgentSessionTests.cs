using Hermes.Identity.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>
/// Each person's conversation under a real ChatClientAgent with HermesChatHistoryProvider and UseHermesIsolation():
/// stored once and sent once, reloaded from SQLite after a restart, and never loaded for anyone else.
/// </summary>
public sealed class AgentSessionTests : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("agent-sessions");
    private readonly List<HermesHost> _hosts = [];

    private static SenderEnvelope Louis => AdapterConformance.Louis;

    private static SenderEnvelope Mei => AdapterConformance.Mei;

    private HermesHost StartHost()
    {
        // The first host writes identities.yaml; a restarted one reads the folder as it was left.
        var host = new HermesHost(_hosts.Count == 0 ? AdapterConformance.Yaml : null, isolation: i => i.AddSqliteState().AddSqliteSessions(), folder: _folder);
        _hosts.Add(host);
        return host;
    }

    private static AIAgent Agent(HermesHost host, ScriptedModel model) => AgentFrameworkStack.Build(host, model, [], null);

    [Fact]
    public async Task Each_message_is_stored_once_and_sent_once()
    {
        var host = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(host, model);

        var stored = await host.InTurnAsync(Mei, async _ =>
        {
            var session = await agent.CreateSessionAsync();
            foreach (var text in new[] { "one", "two", "three" })
            {
                await agent.RunAsync(text, session);
            }

            var store = host.Current.Services.GetRequiredService<ISessionStore>();
            return await store.GetMessagesAsync((await store.OpenCurrentSessionAsync()).Id);
        });

        // The third request: the two earlier exchanges once each, then the new message.
        var third = model.Requests[^1].Where(m => m.Role != ChatRole.System).Select(m => m.Text).ToList();
        Assert.Equal(["one", "echo: one", "two", "echo: two", "three"], third);
        Assert.Equal(["one", "echo: one", "two", "echo: two", "three", "echo: three"], stored.Select(m => m.Content));
    }

    [Fact]
    public async Task History_reloads_from_the_sqlite_store_after_a_restart()
    {
        var first = StartHost();
        var firstAgent = Agent(first, new ScriptedModel());
        await first.InTurnAsync(Mei, async _ => await firstAgent.RunAsync("my code word is orchid", await firstAgent.CreateSessionAsync()));
        await first.Services.DisposeAsync(); // the process ends; the folder stays

        var second = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(second, model);
        await second.InTurnAsync(Mei, async _ => await agent.RunAsync("what was it?", await agent.CreateSessionAsync()));

        var sent = model.Requests.Single().Where(m => m.Role != ChatRole.System).Select(m => m.Text).ToList();
        Assert.Equal(["my code word is orchid", "echo: my code word is orchid", "what was it?"], sent);
    }

    [Fact]
    public async Task A_session_used_for_someone_else_is_refused_before_anything_is_sent()
    {
        var host = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(host, model);
        var meis = await host.InTurnAsync(Mei, async _ =>
        {
            var session = await agent.CreateSessionAsync();
            await agent.RunAsync("my code word is orchid", session);
            return session;
        });
        var serialized = await agent.SerializeSessionAsync(meis);
        var requests = model.Requests.Count;

        var inLouisTurn = await host.InTurnAsync(Louis, async _ => await Assert.ThrowsAsync<AccessDeniedException>(() => agent.RunAsync("what was it?", meis)));
        var restored = await agent.DeserializeSessionAsync(serialized);
        var restoredInLouisTurn = await host.InTurnAsync(Louis, async _ => await Assert.ThrowsAsync<AccessDeniedException>(() => agent.RunAsync("what was it?", restored)));
        var outsideATurn = await Assert.ThrowsAsync<AccessDeniedException>(() => agent.RunAsync("what was it?", meis));

        Assert.Equal("agent.session", inLouisTurn.Action);
        Assert.Equal("agent.session", restoredInLouisTurn.Action);
        Assert.Equal("agent.session", outsideATurn.Action);
        Assert.Equal(requests, model.Requests.Count); // nothing reached the model

        // Louis's own new session carries none of Mei's conversation.
        await host.InTurnAsync(Louis, async _ => await agent.RunAsync("what was it?", await agent.CreateSessionAsync()));
        Assert.DoesNotContain(model.Requests[^1], m => m.Text.Contains("orchid", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.Services.DisposeAsync();
        }

        _folder.Dispose();
    }
}
