using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>
/// Tools and a chat client factory given with one run's options, not the agent's: the adapter keeps each function's
/// gated wrapper per agent and its pipeline per agent, so these check that what a run brings is still gated at every
/// call, for whoever's turn it is, and that the host's factory still sits inside.
/// </summary>
public sealed class RunOptionsTests : IAsyncDisposable
{
    private readonly HermesHost _host = new(AdapterConformance.Yaml, isolation: i => i.AddSqliteState().AddSqliteSessions());

    [Fact]
    public async Task A_tool_given_with_the_run_is_gated_every_run_for_each_person_under_the_hosts_own_factory()
    {
        var terminalRuns = 0;
        var terminal = AIFunctionFactory.Create((string text) => { terminalRuns++; return "terminal ran"; }, "terminal");
        var factoryRequests = 0;
        var agent = AgentFrameworkStack.Build(_host, new ScriptedModel(), [], middleware: null);
        ChatClientAgentRunOptions Options() => new(new ChatOptions { Tools = [terminal] })
        {
            ChatClientFactory = chat => new ChatClientBuilder(chat).Use(async (messages, options, next, cancellationToken) =>
            {
                Interlocked.Increment(ref factoryRequests);
                await next(messages, options, cancellationToken);
            }).Build(),
        };

        var replies = new List<string>();
        foreach (var (sender, callId) in new[] { (AdapterConformance.Mei, "call-1"), (AdapterConformance.Louis, "call-2"), (AdapterConformance.Mei, "call-3"), (AdapterConformance.Louis, "call-4") })
        {
            replies.Add(await _host.InTurnAsync(sender, async _ =>
                (await agent.RunAsync($"call terminal {callId} ls", await agent.CreateSessionAsync(), Options())).Text));
        }

        Assert.StartsWith("result: Refused: the tool 'terminal' did not run.", replies[0], StringComparison.Ordinal);
        Assert.Equal("result: terminal ran", replies[1]);
        Assert.StartsWith("result: Refused: the tool 'terminal' did not run.", replies[2], StringComparison.Ordinal);
        Assert.Equal("result: terminal ran", replies[3]);
        Assert.Equal(2, terminalRuns);
        Assert.True(factoryRequests >= 4, $"the host's factory saw {factoryRequests} requests");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
