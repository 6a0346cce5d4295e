using Hermes.Identity.AgentFramework.Sessions;
using Hermes.Identity.Sessions;
using Hermes.Identity.State;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

#pragma warning disable MAAI001 // AgentSessionStore and AgentSessionStoreKey are experimental in Microsoft.Agents.AI 1.28

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>
/// HermesAgentSessionStore over the real SQLite state and session stores in a temp folder: a person's AgentSession
/// saved, reloaded by a new host, each message once, and never loaded, saved or deleted for anyone else.
/// </summary>
public sealed class AgentSessionStoreTests : IAsyncDisposable
{
    private readonly TempDirectory _folder = new("agent-session-store");
    private readonly List<HermesHost> _hosts = [];

    private static SenderEnvelope Louis => AdapterConformance.Louis;

    private static SenderEnvelope Mei => AdapterConformance.Mei;

    private static AgentSessionStoreKey Key(string id = "chat-1") => new(id);

    private HermesHost StartHost()
    {
        // The first host writes identities.yaml; a restarted one reads the folder as it was left.
        var host = new HermesHost(_hosts.Count == 0 ? AdapterConformance.Yaml : null, isolation: i => i.AddSqliteState().AddSqliteSessions(), folder: _folder);
        _hosts.Add(host);
        return host;
    }

    private static AIAgent Agent(HermesHost host, ScriptedModel model) => AgentFrameworkStack.Build(host, model, [], null);

    // Mei tells the agent her code word and saves her session under Key().
    private static Task<int> SaveMeisAsync(HermesHost host, AIAgent agent, HermesAgentSessionStore store) =>
        host.InTurnAsync(Mei, async _ =>
        {
            var session = await store.GetOrCreateSessionAsync(agent, Key());
            await agent.RunAsync("my code word is orchid", session);
            await store.SaveSessionAsync(agent, Key(), session);
            return 0;
        });

    private static IEnumerable<string?> Sent(ScriptedModel model) => model.Requests[^1].Where(m => m.Role != ChatRole.System).Select(m => m.Text);

    [Fact]
    public async Task A_saved_session_loads_in_a_new_host_and_each_message_is_sent_and_stored_once()
    {
        var first = StartHost();
        var firstAgent = Agent(first, new ScriptedModel());
        var conversation = await first.InTurnAsync(Mei, async _ =>
        {
            var store = new HermesAgentSessionStore(first.Services);
            var session = await store.GetOrCreateSessionAsync(firstAgent, Key());
            await firstAgent.RunAsync("my code word is orchid", session);
            await store.SaveSessionAsync(firstAgent, Key(), session);

            // Mei starts another conversation: only the saved AgentSession still knows the first one.
            var sessions = first.Current.Services.GetRequiredService<ISessionStore>();
            var bound = (await sessions.OpenCurrentSessionAsync()).Id;
            await sessions.StartNewSessionAsync();
            return bound;
        });
        await first.Services.DisposeAsync(); // the process ends; the folder stays

        var second = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(second, model);
        var stored = await second.InTurnAsync(Mei, async _ =>
        {
            var store = new HermesAgentSessionStore(second.Services);
            var session = await store.GetSessionAsync(agent, Key());
            Assert.NotNull(session);
            await agent.RunAsync("what was it?", session);
            await store.SaveSessionAsync(agent, Key(), session);
            await agent.RunAsync("and again?", await store.GetSessionAsync(agent, Key()));

            var sessions = second.Current.Services.GetRequiredService<ISessionStore>();
            return await sessions.GetMessagesAsync(conversation);
        });

        Assert.Equal(["my code word is orchid", "echo: my code word is orchid", "what was it?", "echo: what was it?", "and again?"], Sent(model));
        await second.InTurnAsync(Mei, async _ => await agent.RunAsync("a new AgentSession?", await agent.CreateSessionAsync()));
        Assert.Equal(["a new AgentSession?"], Sent(model)); // a fresh one continues the current conversation, not the saved one
        Assert.Equal(
            ["my code word is orchid", "echo: my code word is orchid", "what was it?", "echo: what was it?", "and again?", "echo: and again?"],
            stored.Select(m => m.Content));
    }

    [Fact]
    public async Task The_same_session_id_is_a_different_session_for_each_person()
    {
        var host = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(host, model);
        var store = new HermesAgentSessionStore(host.Services);
        await SaveMeisAsync(host, agent, store);

        var louisHad = await host.InTurnAsync(Louis, async _ =>
        {
            var found = await store.GetSessionAsync(agent, Key());
            await agent.RunAsync("what was it?", await store.GetOrCreateSessionAsync(agent, Key()));
            return found;
        });

        Assert.Null(louisHad);
        Assert.Equal(["what was it?"], Sent(model));
    }

    [Fact]
    public async Task A_key_naming_another_profile_is_refused_and_the_own_profile_is_the_same_session()
    {
        var host = StartHost();
        var agent = Agent(host, new ScriptedModel());
        var store = new HermesAgentSessionStore(host.Services);
        var meiKey = new AgentSessionStoreKey("chat-1", new Dictionary<string, string> { [HermesAgentSessionStore.ProfilePartition] = "mei" });
        await SaveMeisAsync(host, agent, store);
        Assert.NotNull(await host.InTurnAsync(Mei, async _ => await store.GetSessionAsync(agent, meiKey))); // naming one's own profile: the same session

        var refusals = await host.InTurnAsync(Louis, async _ =>
        {
            var session = await agent.CreateSessionAsync();
            return new[]
            {
                await Assert.ThrowsAsync<AccessDeniedException>(async () => await store.GetSessionAsync(agent, meiKey)),
                await Assert.ThrowsAsync<AccessDeniedException>(async () => await store.SaveSessionAsync(agent, meiKey, session)),
                await Assert.ThrowsAsync<AccessDeniedException>(async () => await store.DeleteSessionAsync(agent, meiKey)),
            };
        });

        Assert.All(refusals, r => Assert.Equal("agent.session", r.Action));
        Assert.NotNull(await host.InTurnAsync(Mei, async _ => await store.GetSessionAsync(agent, Key()))); // still there
    }

    [Fact]
    public async Task Saving_someone_elses_session_is_refused_and_writes_nothing()
    {
        var host = StartHost();
        var agent = Agent(host, new ScriptedModel());
        var store = new HermesAgentSessionStore(host.Services);
        var meis = await host.InTurnAsync(Mei, async _ =>
        {
            var session = await agent.CreateSessionAsync();
            await agent.RunAsync("my code word is orchid", session);
            return session;
        });

        var refused = await host.InTurnAsync(Louis, async _ => await Assert.ThrowsAsync<AccessDeniedException>(async () => await store.SaveSessionAsync(agent, Key(), meis)));
        var louisHas = await host.InTurnAsync(Louis, async _ => await store.GetSessionAsync(agent, Key()));

        Assert.Equal("agent.session", refused.Action);
        Assert.Null(louisHas);
    }

    [Fact]
    public async Task A_record_moved_under_another_persons_key_is_refused_when_loaded()
    {
        var host = StartHost();
        var model = new ScriptedModel();
        var agent = Agent(host, model);
        var store = new HermesAgentSessionStore(host.Services);
        await SaveMeisAsync(host, agent, store);

        // Someone with access to the state database copies Mei's record under Louis's key.
        var state = host.Services.GetRequiredService<IIdentityStateStore>();
        var meis = Assert.Single(await state.ListAsync("agent.session"));
        Assert.StartsWith("[\"mei\",", meis.Key, StringComparison.Ordinal);
        var louisKey = "[\"louis\"," + meis.Key["[\"mei\",".Length..];
        Assert.True(await state.TryCommitAsync([StateChange.Put("agent.session", louisKey, meis.Data, 0)]));

        var refused = await host.InTurnAsync(Louis, async _ => await Assert.ThrowsAsync<AccessDeniedException>(async () => await store.GetSessionAsync(agent, Key())));

        Assert.Equal("agent.session", refused.Action);
    }

    [Fact]
    public async Task Delete_removes_only_the_persons_own_session()
    {
        var host = StartHost();
        var agent = Agent(host, new ScriptedModel());
        var store = new HermesAgentSessionStore(host.Services);
        foreach (var person in new[] { Mei, Louis })
        {
            await host.InTurnAsync(person, async _ =>
            {
                await store.SaveSessionAsync(agent, Key(), await agent.CreateSessionAsync());
                return 0;
            });
        }

        await host.InTurnAsync(Mei, async _ =>
        {
            await store.DeleteSessionAsync(agent, Key());
            await store.DeleteSessionAsync(agent, Key()); // a missing session is a no-op
            Assert.Null(await store.GetSessionAsync(agent, Key()));
            return 0;
        });
        Assert.NotNull(await host.InTurnAsync(Louis, async _ => await store.GetSessionAsync(agent, Key())));
    }

    [Fact]
    public async Task Outside_a_turn_and_for_agents_it_cannot_keep_it_says_what_to_do()
    {
        var host = StartHost();
        var agent = Agent(host, new ScriptedModel());
        var store = new HermesAgentSessionStore(host.Services);
        var inMemoryHistory = new ChatClientAgent(new ScriptedModel(), new ChatClientAgentOptions { Id = "plain", DisableApprovalResponseBinding = true })
            .AsBuilder().UseHermesIsolation().Build(host.Services);
        var noId = new ChatClientAgent(new ScriptedModel(), new ChatClientAgentOptions
        {
            DisableApprovalResponseBinding = true,
            ChatHistoryProvider = new HermesChatHistoryProvider(host.Current),
        }).AsBuilder().UseHermesIsolation().Build(host.Services);

        await Assert.ThrowsAsync<NoActiveTurnException>(async () => await store.GetSessionAsync(agent, Key()));
        var history = await host.InTurnAsync(Mei, async _ => await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.GetSessionAsync(inMemoryHistory, Key())));
        var id = await host.InTurnAsync(Mei, async _ => await Assert.ThrowsAsync<InvalidOperationException>(async () => await store.GetSessionAsync(noId, Key())));
        var noState = Assert.Throws<InvalidOperationException>(() => new HermesAgentSessionStore(new ServiceCollection().BuildServiceProvider()));

        Assert.Contains("HermesChatHistoryProvider", history.Message, StringComparison.Ordinal);
        Assert.Contains("ChatClientAgentOptions.Id", id.Message, StringComparison.Ordinal);
        Assert.Contains("AddHermesIsolation", noState.Message, StringComparison.Ordinal);
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
