using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// What UseHermesIsolation adds to an MCP tool call: the server's call-tool pipeline (its filters, then the matched
/// tool) for one tools/call request, on a server with and without the adapter. An MCP request is its own turn, so
/// Call_hermes - Call_plain is the whole cost per call (mapping the caller, the turn, the decision, the wrapped tool).
/// Of it, the decision and the wrapper alone are (Gated_in_turn - Plain_in_turn) / CallsPerTurn: the same tool invoked
/// CallsPerTurn times inside one turn, gated and not.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class McpBenchmarks
{
    public const int CallsPerTurn = 20;

    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei:
            role: trusted
            accounts: { local: "mei" }
        tools:
          read_file: files.read
        """;

    private static readonly SenderEnvelope Mei = new("local", "mei");

    private readonly List<IAsyncDisposable> _owned = [];
    private string _root = null!;
    private Pipeline _plain = null!;
    private Pipeline _hermes = null!;
    private ITurnScopeFactory _turns = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-mcp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        _plain = Build(hermes: false);
        _hermes = Build(hermes: true);
        _turns = _hermes.Services.GetRequiredService<ITurnScopeFactory>();

        // Both pipelines must do the same work: the call runs and is allowed.
        if (Call_plain().AsTask().GetAwaiter().GetResult().IsError == true || Call_hermes().AsTask().GetAwaiter().GetResult().IsError == true)
        {
            throw new InvalidOperationException("A benchmark call was refused; the comparison would be meaningless.");
        }
    }

    private Pipeline Build(bool hermes)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        var mcp = services.AddMcpServer().WithTools([McpServerTool.Create((string path) => "ok " + path, new() { Name = "read_file" })]);
        if (hermes)
        {
            mcp.UseHermesIsolation(o => o.MapEveryCallerTo(Mei));
        }

        var provider = services.BuildServiceProvider();
        _owned.Add(provider);
        var options = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;
        var server = McpServer.Create(new StreamServerTransport(Stream.Null, Stream.Null), options, null, provider);
        _owned.Add(server);

        // The server's own composition (McpServerImpl.ConfigureTools): the filters, first outermost, around the matched tool.
        McpRequestHandler<CallToolRequestParams, CallToolResult> handler = static (request, ct) => ((McpServerTool)request.MatchedPrimitive!).InvokeAsync(request, ct);
        for (var i = options.Filters.Request.CallToolFilters.Count - 1; i >= 0; i--)
        {
            handler = options.Filters.Request.CallToolFilters[i](handler);
        }

        options.ToolCollection!.TryGetPrimitive("read_file", out var tool);
        return new Pipeline(provider, server, tool!, handler);
    }

    [Benchmark(Baseline = true)]
    public ValueTask<CallToolResult> Call_plain() => _plain.CallAsync();

    [Benchmark]
    public ValueTask<CallToolResult> Call_hermes() => _hermes.CallAsync();

    [Benchmark(OperationsPerInvoke = CallsPerTurn)]
    public async Task Plain_in_turn()
    {
        await using var turn = _turns.BeginTurn(await _hermes.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(Mei));
        for (var i = 0; i < CallsPerTurn; i++)
        {
            await _plain.InvokeToolAsync(turn.Services);
        }
    }

    [Benchmark(OperationsPerInvoke = CallsPerTurn)]
    public async Task Gated_in_turn()
    {
        await using var turn = _turns.BeginTurn(await _hermes.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(Mei));
        for (var i = 0; i < CallsPerTurn; i++)
        {
            await _hermes.InvokeToolAsync(turn.Services);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var owned in _owned)
        {
            owned.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Directory.Delete(_root, recursive: true);
    }

    private sealed class Pipeline(ServiceProvider services, McpServer server, McpServerTool tool, McpRequestHandler<CallToolRequestParams, CallToolResult> handler)
    {
        private static readonly JsonRpcRequest Request = new() { Method = RequestMethods.ToolsCall };
        private static readonly Dictionary<string, JsonElement> Arguments = new() { ["path"] = JsonDocument.Parse("\"notes.md\"").RootElement };

        public ServiceProvider Services => services;

        public ValueTask<CallToolResult> CallAsync() => handler(Context(services), CancellationToken.None);

        public ValueTask<CallToolResult> InvokeToolAsync(IServiceProvider scope) => tool.InvokeAsync(Context(scope), CancellationToken.None);

        private RequestContext<CallToolRequestParams> Context(IServiceProvider scope) =>
            new(server, Request, new CallToolRequestParams { Name = "read_file", Arguments = Arguments })
            {
                MatchedPrimitive = tool,
                Services = scope,
            };
    }
}
