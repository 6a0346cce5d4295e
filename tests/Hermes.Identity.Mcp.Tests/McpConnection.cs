using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Tests;

/// <summary>
/// One real MCP connection inside the test process: a server (McpServer.Create over the host's options, as a host that
/// serves many connections does) and a real client, joined by two in-memory pipes carrying the stdio wire format.
/// </summary>
internal sealed class McpConnection : IAsyncDisposable
{
    private readonly McpServer _server;
    private readonly Task _running;

    private McpConnection(McpServer server, Task running, McpClient client)
    {
        _server = server;
        _running = running;
        Client = client;
    }

    public McpClient Client { get; }

    /// <param name="wrap">Wraps the server's end of the connection (a CallerTransport, an authenticated transport), or null.</param>
    public static async Task<McpConnection> OpenAsync(McpServerOptions options, IServiceProvider services, Func<ITransport, ITransport>? wrap)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        ITransport transport = new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream());
        if (wrap is not null)
        {
            transport = wrap(transport);
        }

        var server = McpServer.Create(transport, options, null, services);
        var running = server.RunAsync();
        var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));
        return new McpConnection(server, running, client);
    }

    /// <summary>A connection to the host's MCP server as <paramref name="user"/> (null: no authenticated user).</summary>
    public static Task<McpConnection> OpenAsync(HermesHost host, ClaimsPrincipal? user) =>
        OpenAsync(host.Services.GetRequiredService<IOptions<McpServerOptions>>().Value, host.Services, user is null ? null : t => new AuthenticatedTransport(t, user));

    public async Task<IReadOnlyList<string>> ToolNamesAsync() =>
        (await Client.ListToolsAsync()).Select(t => t.Name).ToList();

    /// <summary>Calls the tool and returns the text of its result, or the protocol error's message.</summary>
    public async Task<string> CallAsync(string tool, IReadOnlyDictionary<string, object?>? arguments = null, RequestOptions? options = null)
    {
        try
        {
            var result = await Client.CallToolAsync(tool, arguments, options: options);
            return Text(result);
        }
        catch (ModelContextProtocol.McpException ex)
        {
            return ex.Message;
        }
    }

    public static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _server.DisposeAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
