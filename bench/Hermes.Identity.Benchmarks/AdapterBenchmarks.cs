using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Prompt;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// What UseHermesIsolation adds to a turn and to a tool call: the same pipeline (zero-latency scripted model,
/// UseFunctionInvocation, five tools offered) with and without the layer, each inside a real turn.
/// Per turn: Turn_hermes - Turn_plain. Per tool call: ((ToolCalls_hermes - ToolCalls_plain) - per turn) / CallsPerTurn.
/// Of the per-turn cost, the identity block with the sender's memory (IdentityPrompt.RenderAsync, in the core) is
/// Turn_prompt - Turn_only; the rest is the adapter's own work (tool offer, options, approvals screen, gated wrappers).
/// </summary>
[MemoryDiagnoser]
public class AdapterBenchmarks
{
    public const int CallsPerTurn = 20;

    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei:
            role: trusted
            accounts: { telegram: "5550001" }
        tools:
          terminal: exec
          read_file: files.read
          write_file: files.write
          memory: memory
          session_search: sessions
        """;

    private readonly List<ChatMessage> _chat = [new(ChatRole.User, "hello")];
    private readonly List<ChatMessage> _tools = [new(ChatRole.User, "call")];
    private string _root = null!;
    private ServiceProvider _services = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private IChatClient _plain = null!;
    private IChatClient _hermes = null!;
    private ChatOptions _options = null!;
    private IdentityPrompt _prompt = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root); // the built-in roles decide
        if (Environment.GetEnvironmentVariable("HERMES_BENCH_NO_MEMORY") == "1")
        {
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.RemoveAll<Hermes.Identity.Memory.IMemoryStore>(services);
        }
        _services = services.BuildServiceProvider();
        _turns = _services.GetRequiredService<ITurnScopeFactory>();
        _prompt = _services.GetRequiredService<IdentityPrompt>();
        _mei = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "5550001")).AsTask().GetAwaiter().GetResult();

        var noop = AIFunctionFactory.Create(() => "ok", "read_file");
        _options = new ChatOptions
        {
            Tools =
            [
                noop,
                AIFunctionFactory.Create(() => "ok", "terminal"),
                AIFunctionFactory.Create(() => "ok", "write_file"),
                AIFunctionFactory.Create(() => "ok", "memory"),
                AIFunctionFactory.Create(() => "ok", "session_search"),
            ],
        };
        _plain = new ChatClientBuilder(new ScriptedModel()).UseFunctionInvocation().Build(_services);
        _hermes = new ChatClientBuilder(new ScriptedModel()).UseHermesIsolation().UseFunctionInvocation().Build(_services);

        // Both pipelines must do the same work: the calls run and are allowed.
        var check = ToolCalls_hermes().GetAwaiter().GetResult();
        if (check.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count(r => (string?)r.Result?.ToString() == "ok") != CallsPerTurn)
        {
            throw new InvalidOperationException("The Hermes pipeline did not run the scripted tool calls.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<ChatResponse> Turn_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _plain.GetResponseAsync(_chat, _options);
    }

    [Benchmark]
    public async Task<ChatResponse> Turn_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _hermes.GetResponseAsync(_chat, _options);
    }

    [Benchmark]
    public async Task Turn_only()
    {
        await using var turn = _turns.BeginTurn(_mei);
    }

    [Benchmark]
    public async Task<string> Turn_prompt()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _prompt.RenderAsync();
    }

    [Benchmark]
    public async Task<ChatResponse> ToolCalls_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _plain.GetResponseAsync(_tools, _options);
    }

    [Benchmark]
    public async Task<ChatResponse> ToolCalls_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _hermes.GetResponseAsync(_tools, _options);
    }

    // Answers at once: "hello" gets text; "call" gets CallsPerTurn calls to read_file, then text once results are in.
    private sealed class ScriptedModel : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var last = messages is IList<ChatMessage> list ? list[^1] : messages.Last();
            if (last.Role != ChatRole.User || last.Text != "call")
            {
                // A new response each time: the function loop edits the response it is given.
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")));
            }

            var calls = new List<AIContent>(CallsPerTurn);
            for (var i = 0; i < CallsPerTurn; i++)
            {
                calls.Add(new FunctionCallContent("c" + i, "read_file"));
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
