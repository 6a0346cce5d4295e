using Microsoft.Extensions.DependencyInjection;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>Agent function middleware sees every call, the refused ones too, with the refusal as the result.</summary>
public sealed class FunctionMiddlewareTests : IAsyncDisposable
{
    private readonly HermesHost _host = new(AdapterConformance.Yaml, isolation: i => i.AddSqliteState().AddSqliteSessions());

    [Fact]
    public async Task A_refused_call_reaches_the_middleware_with_its_refusal_and_the_tool_never_runs()
    {
        var terminalRuns = 0;
        var readRuns = 0;
        var seen = new List<(string Tool, string? Result)>();
        var tools = new List<AITool>
        {
            AIFunctionFactory.Create((string text) => { terminalRuns++; return "terminal ran"; }, "terminal"),
            AIFunctionFactory.Create((string text) => { readRuns++; return "read " + text; }, "read_file"),
        };
        var model = new ScriptedModel();
        var agent = AgentFrameworkStack.Build(_host, model, tools, async (_, context, next, cancellationToken) =>
        {
            var result = await next(context, cancellationToken);
            seen.Add((context.Function.Name, result?.ToString()));
            return result;
        });

        await _host.InTurnAsync(AdapterConformance.Mei, async _ =>
        {
            var session = await agent.CreateSessionAsync();
            await agent.RunAsync("call terminal call-1 rm -rf /", session);   // withheld from Mei, called anyway
            return await agent.RunAsync("call read_file call-2 notes.md", session);
        });

        Assert.Equal(0, terminalRuns);
        Assert.Equal(1, readRuns);
        Assert.Collection(
            seen,
            terminal =>
            {
                Assert.Equal("terminal", terminal.Tool);
                Assert.StartsWith("Refused: the tool 'terminal' did not run.", terminal.Result, StringComparison.Ordinal);
            },
            read => Assert.Equal(("read_file", "read notes.md"), read));
    }

    [Fact]
    public async Task Building_without_the_hermes_services_or_with_approval_binding_on_fails_with_the_fix()
    {
        var agent = new ChatClientAgent(new ScriptedModel(), new ChatClientAgentOptions { DisableApprovalResponseBinding = true });
        var noServices = Assert.Throws<InvalidOperationException>(() => agent.AsBuilder().UseHermesIsolation().Build());
        var binding = Assert.Throws<InvalidOperationException>(() => new ChatClientAgent(new ScriptedModel()).AsBuilder().UseHermesIsolation().Build(_host.Services));

        Assert.Contains("AddHermesIsolation", noServices.Message, StringComparison.Ordinal);
        Assert.Contains("DisableApprovalResponseBinding = true", binding.Message, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
