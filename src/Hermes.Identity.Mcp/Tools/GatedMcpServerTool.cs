using Hermes.Identity.Mcp.Internal;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tools;

// A tool of the server's collection that goes through the gate whenever it is invoked, so a request filter, a handler
// or any code holding it (the "middleware" route) cannot run it without the policy deciding that very call. The call
// filter leaves calls to these tools to them: each call is decided exactly once.
internal sealed class GatedMcpServerTool(McpServerTool inner, McpIsolation isolation) : DelegatingMcpServerTool(inner)
{
    public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        isolation.InvokeGatedAsync(this, request, cancellationToken);

    // The tool underneath, once the gate has allowed this very call.
    internal ValueTask<CallToolResult> RunJudgedAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken) =>
        base.InvokeAsync(request, cancellationToken);
}
