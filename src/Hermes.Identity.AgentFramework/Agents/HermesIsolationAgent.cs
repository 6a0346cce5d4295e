using System.Diagnostics.CodeAnalysis;
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
// What is the agent's is made once: the isolated pipeline over the agent's chat client, the gated wrapper of each
// function, and the factory itself; a run adds only its options object (and, under function middleware, the one
// client that puts the gated tools outside it). Whose turn it is, what is offered and whether a call runs are decided
// per request and per call, underneath.
[SuppressMessage("Design", "CA1001", Justification = "The kept pipeline wraps the agent's own chat client, which the ChatClientAgent and the host own; disposing it here would dispose their model client.")]
internal sealed class HermesIsolationAgent : DelegatingAIAgent
{
    private readonly ToolGate _gate;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services;
    private readonly GatedFunctions _functions;
    private readonly IChatClient _agentChatClient;
    private readonly IChatClient _agentIsolated;
    private readonly IChatClient _agentPipeline;
    private readonly ConditionalWeakTable<IChatClient, IChatClient> _isolated = [];
    private readonly ConditionalWeakTable<IChatClient, IChatClient> _pipelines = [];
    private readonly ConditionalWeakTable<IChatClient, IChatClient>.CreateValueCallback _isolate;
    private readonly ConditionalWeakTable<IChatClient, IChatClient>.CreateValueCallback _pipeline;
    private readonly Func<IChatClient, IChatClient> _factory;

    public HermesIsolationAgent(AIAgent innerAgent, IChatClient agentChatClient, ToolGate gate, IServiceProvider services, ILogger logger)
        : base(innerAgent)
    {
        _gate = gate;
        _services = services;
        _logger = logger;
        _functions = new GatedFunctions(gate, logger);
        _isolate = Isolate;
        _pipeline = chat => new GatedToolsChatClient(Isolated(chat), _functions);
        _factory = Pipeline;

        // Built now, so a pipeline with no function-invocation loop fails when the agent is built, not at its first run.
        _agentChatClient = agentChatClient;
        _agentIsolated = Isolate(agentChatClient);
        _agentPipeline = new GatedToolsChatClient(_agentIsolated, _functions);
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
        if (options is null)
        {
            return new ChatClientAgentRunOptions { ChatClientFactory = _factory };
        }

        if (options.GetType() == typeof(AgentRunOptions))
        {
            gated = new ChatClientAgentRunOptions
            {
                ResponseFormat = options.ResponseFormat,
                AllowBackgroundResponses = options.AllowBackgroundResponses,
#pragma warning disable MEAI001 // carried over as Agent Framework's own function middleware does
                ContinuationToken = options.ContinuationToken,
#pragma warning restore MEAI001
                AdditionalProperties = options.AdditionalProperties,
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

        // Function middleware outside this decorator set a factory of its own: it goes between the gated tools and the
        // isolation layer, and may make a new client per run, so the client around it is made per run too.
        var outer = gated.ChatClientFactory;
        gated.ChatClientFactory = outer is null ? _factory : chat => new GatedToolsChatClient(outer(Isolated(chat)), _functions);
        return gated;
    }

    // The run's chat client: the agent's own (the one ChatClientAgent hands the factory) has its pipeline made once.
    private IChatClient Pipeline(IChatClient chat) =>
        ReferenceEquals(chat, _agentChatClient) ? _agentPipeline : _pipelines.GetValue(chat, _pipeline);

    private IChatClient Isolated(IChatClient chat) =>
        ReferenceEquals(chat, _agentChatClient) ? _agentIsolated : _isolated.GetValue(chat, _isolate);

    // A chat client that has the isolation layer already (UseHermesIsolation() in the host's own pipeline) is used as it is.
    private IChatClient Isolate(IChatClient chat) =>
        chat.GetService<ToolGate>() is not null ? chat : new ChatClientBuilder(chat).UseHermesIsolation().Build(_services);
}
