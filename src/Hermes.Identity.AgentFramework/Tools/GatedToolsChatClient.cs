using System.Runtime.CompilerServices;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Tools;

// The outermost client of an agent run: puts each function of ChatOptions.Tools inside a GatedAgentFunction before
// anything else (function middleware, the isolation layer, the loop) sees the tools. A function's wrapper is made once
// and kept while the host keeps the function, so each request hands the layers underneath the same objects.
internal sealed class GatedToolsChatClient(IChatClient innerClient, ToolGate gate, ILogger logger) : DelegatingChatClient(innerClient)
{
    private readonly ConditionalWeakTable<AIFunction, AIFunction> _gated = [];

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Gate(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Gate(options), cancellationToken);

    private ChatOptions? Gate(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return options;
        }

        var gated = new List<AITool>(tools.Count);
        foreach (var tool in tools)
        {
            gated.Add(tool is AIFunction function ? Gated(function) : tool);
        }

        var copy = options.Clone();
        copy.Tools = gated;
        return copy;
    }

    private AIFunction Gated(AIFunction function)
    {
        if (_gated.TryGetValue(function, out var known))
        {
            return known;
        }

        return function.GetService<ToolGate>() is not null ? function : _gated.GetValue(function, f => new GatedAgentFunction(f, gate, logger));
    }
}
