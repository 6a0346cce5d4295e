using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Tools;

// The outermost client of an agent run: puts each function of ChatOptions.Tools inside a GatedAgentFunction before
// anything else (function middleware, the isolation layer, the loop) sees the tools.
internal sealed class GatedToolsChatClient(IChatClient innerClient, ToolGate gate, ILogger logger) : DelegatingChatClient(innerClient)
{
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
            gated.Add(tool is AIFunction function && function.GetService<ToolGate>() is null ? new GatedAgentFunction(function, gate, logger) : tool);
        }

        var copy = options.Clone();
        copy.Tools = gated;
        return copy;
    }
}
