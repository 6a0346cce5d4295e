using Hermes.Identity.Mcp.Internal;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Prompts;

// A prompt of the server's collection that goes through the gate whenever it is rendered, so a filter, a handler or any
// code holding it cannot get it without the policy deciding that very request. The get-prompt filter leaves these
// prompts to them: each request is decided exactly once.
internal sealed class GatedMcpServerPrompt(McpServerPrompt inner, McpIsolation isolation) : DelegatingMcpServerPrompt(inner)
{
    public override ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken = default) =>
        isolation.GetGatedAsync(this, request, cancellationToken);

    // The prompt underneath, once the gate has allowed this very request.
    internal ValueTask<GetPromptResult> GetJudgedAsync(RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken) =>
        base.GetAsync(request, cancellationToken);
}
