using System.Runtime.CompilerServices;
using Hermes.Identity.AgentFramework.Internal;
using Hermes.Identity.AgentFramework.Sessions;
using Hermes.Identity.AgentFramework.Tools;
using Hermes.Identity.Tools;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Agents;

// The agent decorator UseHermesIsolation() adds. Per run it (1) refuses an AgentSession stamped for someone else and
// stamps a new one for the turn's profile, and (2) sets the run's ChatClientFactory so the chat client the agent uses
// is, outermost first: GatedToolsChatClient (every tool asks the gate) -> the function middleware of decorators outside
// this one -> the Microsoft.Extensions.AI isolation layer (tools offered, identity block, approvals, unknown calls,
// budgets) -> the agent's own chat client with its function-invocation loop. Because the tools are gated before the
// function middleware wraps them, the middleware sees every call, the refused ones with their refusal as the result.
internal sealed class HermesIsolationAgent : DelegatingAIAgent
{
    private readonly ToolGate _gate;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly ConditionalWeakTable<IChatClient, IChatClient> _isolated = [];

    public HermesIsolationAgent(AIAgent innerAgent, IChatClient agentChatClient, ToolGate gate, IServiceProvider services, ILogger logger)
        : base(innerAgent)
    {
        _gate = gate;
        _services = services;
        _logger = logger;

        // Built now, so a pipeline with no function-invocation loop fails when the agent is built, not at its first run.
        _isolated.Add(agentChatClient, Isolate(agentChatClient));
    }

    protected override Task<AgentResponse> RunCoreAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        Claim(session);
        return InnerAgent.RunAsync(messages, session, Gated(options), cancellationToken);
    }

    protected override IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        Claim(session);
        return InnerAgent.RunStreamingAsync(messages, session, Gated(options), cancellationToken);
    }

    private void Claim(AgentSession? session)
    {
        if (session is null)
        {
            return;
        }

        var turn = _gate.CurrentTurn;
        try
        {
            SessionOwner.Claim(session, turn);
        }
        catch (AccessDeniedException)
        {
            Log.SessionRefused(_logger, SessionOwner.Of(session) ?? "?", turn?.Sender);
            throw;
        }
    }

    private ChatClientAgentRunOptions Gated(AgentRunOptions? options)
    {
        ChatClientAgentRunOptions gated;
        if (options is null || options.GetType() == typeof(AgentRunOptions))
        {
            gated = new ChatClientAgentRunOptions
            {
                ResponseFormat = options?.ResponseFormat,
                AllowBackgroundResponses = options?.AllowBackgroundResponses,
#pragma warning disable MEAI001 // carried over as Agent Framework's own function middleware does
                ContinuationToken = options?.ContinuationToken,
#pragma warning restore MEAI001
                AdditionalProperties = options?.AdditionalProperties,
            };
        }
        else if (options is ChatClientAgentRunOptions chatOptions)
        {
            gated = (ChatClientAgentRunOptions)chatOptions.Clone();
        }
        else
        {
            throw new NotSupportedException(
                $"UseHermesIsolation() runs a ChatClientAgent with ChatClientAgentRunOptions; {options.GetType().Name} cannot carry them. " +
                "Pass AgentRunOptions or ChatClientAgentRunOptions.");
        }

        var outer = gated.ChatClientFactory;
        gated.ChatClientFactory = chat =>
        {
            var isolated = _isolated.GetValue(chat, Isolate);
            return new GatedToolsChatClient(outer is null ? isolated : outer(isolated), _gate, _logger);
        };
        return gated;
    }

    // A chat client that has the isolation layer already (UseHermesIsolation() in the host's own pipeline) is used as it is.
    private IChatClient Isolate(IChatClient chat) =>
        chat.GetService<ToolGate>() is not null ? chat : new ChatClientBuilder(chat).UseHermesIsolation().Build(_services);
}
