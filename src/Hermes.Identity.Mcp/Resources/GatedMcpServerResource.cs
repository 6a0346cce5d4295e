using Hermes.Identity.Mcp.Internal;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Resources;

// A resource (or resource template) of the server's collection that goes through the gate whenever it is read, so a
// filter, a handler or any code holding it cannot read it without the policy deciding that very read. The read filter
// leaves reads of these resources to them: each read is decided exactly once.
internal sealed class GatedMcpServerResource(McpServerResource inner, McpIsolation isolation) : DelegatingMcpServerResource(inner)
{
    public override ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken = default) =>
        isolation.ReadGatedAsync(this, request, cancellationToken);

    // The resource underneath, once the gate has allowed this very read.
    internal ValueTask<ReadResourceResult> ReadJudgedAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken) =>
        base.ReadAsync(request, cancellationToken);
}
