using Microsoft.Extensions.AI;

namespace Hermes.Identity.AgentFramework.Tools;

// The outermost client of an agent run: puts each function of ChatOptions.Tools inside its GatedAgentFunction before
// anything else (function middleware, the isolation layer, the loop) sees the tools. The wrappers are the agent's
// (GatedFunctions), so a client made for one run and one kept for every run hand the layers underneath the same objects.
internal sealed class GatedToolsChatClient(IChatClient innerClient, GatedFunctions functions) : DelegatingChatClient(innerClient)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, functions.Gate(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, functions.Gate(options), cancellationToken);
}
