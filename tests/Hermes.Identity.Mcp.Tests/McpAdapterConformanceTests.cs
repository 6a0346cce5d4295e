using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>The adapter conformance suite over a real MCP server and real MCP clients on in-process connections.</summary>
public sealed class McpAdapterConformanceTests : AdapterConformance
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddMcpServer()
            .WithTools(Tools.Select(ToMcpTool).ToList())
            .WithRequestFilters(filters => filters.AddCallToolFilter(next => (request, ct) => InvokeDirectlyWhenAsked(request, next, ct)))
            .UseHermesIsolation(); // callers come from their connections (CallerTransport) only
    }

    protected override void AddStateStore(IHermesIsolationBuilder isolation) => isolation.AddSqliteState();

    protected override Task<IConformanceStack> CreateStackAsync(HermesHost host) =>
        Task.FromResult<IConformanceStack>(new McpConformanceStack(host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value, host.Services));

    // Each suite tool as an MCP tool: one string parameter "text", the services it was invoked with passed to its body.
    internal static McpServerTool ToMcpTool(ConformanceTool tool) =>
        McpServerTool.Create(
            (string? text, IServiceProvider services) => tool.RunAsync(services, text),
            new McpServerToolCreateOptions { Name = tool.Name, Description = tool.Description });

    // The "middleware" route: a filter of the host's, inside the adapter's, that invokes the tool object itself instead
    // of passing the call on.
    private static async ValueTask<CallToolResult> InvokeDirectlyWhenAsked(
        RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, CallToolResult> next, CancellationToken cancellationToken)
    {
        if (request.Params?.Meta?[McpConformanceStack.RouteMetaKey]?.GetValue<string>() == "middleware"
            && request.Server.ServerOptions.ToolCollection is { } tools
            && tools.TryGetPrimitive(request.Params.Name, out var tool))
        {
            return await tool.InvokeAsync(request, cancellationToken);
        }

        return await next(request, cancellationToken);
    }
}
