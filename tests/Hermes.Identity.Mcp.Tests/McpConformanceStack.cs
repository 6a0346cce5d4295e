using Hermes.Identity.Mcp.Callers;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>
/// The MCP server under the conformance suite: one real connection per sender (its identity given by a CallerTransport,
/// as a host that opened the connection for that person does), a plain connection for a caller that maps to nobody.
/// </summary>
internal sealed class McpConformanceStack(McpServerOptions options, IServiceProvider services) : IConformanceStack
{
    // Read by the test's middleware filter: invoke the tool object directly instead of going on down the pipeline.
    public const string RouteMetaKey = "test/route";

    private readonly Dictionary<string, Task<McpConnection>> _connections = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public async Task<IReadOnlyList<string>> OfferedToolsAsync(SenderEnvelope sender) =>
        await (await ConnectionAsync(sender)).ToolNamesAsync();

    public async Task<string> CallAsync(SenderEnvelope? sender, string toolName, string callId, string text, ConformanceCallRoute route)
    {
        var connection = await ConnectionAsync(sender);
        var options = route == ConformanceCallRoute.Middleware
            ? new RequestOptions { Meta = new() { [RouteMetaKey] = "middleware" } }
            : null;
        return await connection.CallAsync(toolName, new Dictionary<string, object?> { ["text"] = text }, options);
    }

    private Task<McpConnection> ConnectionAsync(SenderEnvelope? sender)
    {
        var key = sender?.Principal ?? "(nobody)";
        lock (_lock)
        {
            if (!_connections.TryGetValue(key, out var connection))
            {
                connection = McpConnection.OpenAsync(options, services, sender is null ? null : t => new CallerTransport(t, sender));
                _connections[key] = connection;
            }

            return connection;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            await (await connection).DisposeAsync();
        }
    }
}
