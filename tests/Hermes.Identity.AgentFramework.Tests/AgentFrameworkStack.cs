using System.Collections.Concurrent;
using Hermes.Identity.AgentFramework.Sessions;
using Hermes.Identity.Tools;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>
/// The real Agent Framework stack as a host wires it: a ChatClientAgent over the scripted model, its history in each
/// person's own session store (HermesChatHistoryProvider), built with UseHermesIsolation(). The middleware route
/// adds agent function middleware that invokes the function itself and records what it saw.
/// </summary>
public sealed class AgentFrameworkStack : IConformanceStack
{
    private readonly HermesHost _host;
    private readonly AIAgent _plain;
    private readonly AIAgent _withMiddleware;

    public AgentFrameworkStack(HermesHost host, IEnumerable<ConformanceTool> tools)
    {
        _host = host;
        var functions = tools.Select(t => (AITool)AIFunctionFactory.Create((string text, IServiceProvider? services) => t.RunAsync(services, text), t.Name, t.Description)).ToList();
        _plain = Build(host, Model, functions, null);
        _withMiddleware = Build(host, Model, functions, async (agent, context, next, cancellationToken) =>
        {
            // Invokes the function object itself instead of the continuation.
            var result = await context.Function.InvokeAsync(context.Arguments, cancellationToken);
            MiddlewareSaw.Enqueue((context.Function.Name, result?.ToString()));
            return result;
        });
    }

    public ScriptedModel Model { get; } = new();

    /// <summary>Each call the function middleware saw, with its result.</summary>
    public ConcurrentQueue<(string Tool, string? Result)> MiddlewareSaw { get; } = new();

    public static AIAgent Build(
        HermesHost host,
        IChatClient model,
        IList<AITool> tools,
        Func<AIAgent, FunctionInvocationContext, Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>, CancellationToken, ValueTask<object?>>? middleware)
    {
        var chatAgent = new ChatClientAgent(model, new ChatClientAgentOptions
        {
            Id = "hermes", // stable: HermesAgentSessionStore keys sessions by it
            Name = "hermes",
            DisableApprovalResponseBinding = true, // Hermes.Identity binds approvals itself
            ChatOptions = new ChatOptions { Tools = tools },
            ChatHistoryProvider = new HermesChatHistoryProvider(host.Current),
        });
        var builder = chatAgent.AsBuilder();
        if (middleware is not null)
        {
            builder.Use(middleware);
        }

        return builder.UseHermesIsolation().Build(host.Services);
    }

    public async Task<IReadOnlyList<string>> OfferedToolsAsync(SenderEnvelope sender)
    {
        var reply = await _host.InTurnAsync(sender, async _ => (await _plain.RunAsync("hello", await _plain.CreateSessionAsync())).Text);
        Assert.StartsWith("offered: ", reply, StringComparison.Ordinal);
        return reply["offered: ".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task<string> CallAsync(SenderEnvelope? sender, string toolName, string callId, string text, ConformanceCallRoute route)
    {
        var agent = route == ConformanceCallRoute.Middleware ? _withMiddleware : _plain;
        var message = $"call {toolName} {callId} {text}";
        if (sender is null)
        {
            return Read(await agent.RunAsync(message), toolName, callId);
        }

        // A new AgentSession every time: the conversation lives in the person's store, not in the session object.
        return await _host.InTurnAsync(sender, async _ => Read(await agent.RunAsync(message, await agent.CreateSessionAsync()), toolName, callId));
    }

    // What came back for the call: the result the model was given, or, for a call that waits for an approval, the
    // gate's own wording of that wait.
    private static string Read(AgentResponse response, string toolName, string callId)
    {
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            if (content is ToolApprovalRequestContent { ToolCall: FunctionCallContent call } request && call.CallId == callId)
            {
                var id = request.AdditionalProperties?["hermes.approval_id"]?.ToString() ?? "?";
                return ToolGate.Refusal(toolName, $"It waits for approval {id}.");
            }
        }

        var text = response.Text;
        return text.StartsWith("result: ", StringComparison.Ordinal) ? text["result: ".Length..] : text;
    }

    public ValueTask DisposeAsync()
    {
        Model.Dispose();
        return ValueTask.CompletedTask;
    }
}
