using BenchmarkDotNet.Attributes;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// What the Agent Framework adapter adds to an agent run: the same ChatClientAgent (zero-latency scripted model, its
/// own function loop, five tools) with and without <c>UseHermesIsolation()</c>, each run inside a real turn.
/// Per request: Run_hermes - Run_plain. Per tool call: ((ToolCalls_hermes - ToolCalls_plain) - per request) / CallsPerRun.
/// The per-request figure includes the Microsoft.Extensions.AI adapter underneath (identity block with the sender's
/// memory, the tool offer): AdapterBenchmarks measures that part alone. The _meai methods run the same agent over a
/// chat client that has that layer already (<c>ChatClientBuilder.UseHermesIsolation()</c>) and no agent-level wrapper,
/// so the agent-level wrapper's own cost (session stamp, run options, gated tools) is, per run, Run_hermes - Run_meai,
/// and per tool call ((ToolCalls_hermes - ToolCalls_meai) - (Run_hermes - Run_meai)) / CallsPerRun.
/// </summary>
[MemoryDiagnoser]
public class AgentFrameworkBenchmarks
{
    public const int CallsPerRun = 20;

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

    private string _root = null!;
    private ServiceProvider _services = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private AIAgent _plain = null!;
    private AIAgent _hermes = null!;
    private AIAgent _meai = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-af-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        if (Environment.GetEnvironmentVariable("HERMES_BENCH_NO_MEMORY") == "1")
        {
            // No memory in the identity block (no file checks): the adapter's own cost stands out of the noise on a busy machine.
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.RemoveAll<Hermes.Identity.Memory.IMemoryStore>(services);
        }

        _services = services.BuildServiceProvider();
        _turns = _services.GetRequiredService<ITurnScopeFactory>();
        _mei = _services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "5550001")).AsTask().GetAwaiter().GetResult();

        _plain = Agent();
        _hermes = Agent().AsBuilder().UseHermesIsolation().Build(_services);
        _meai = Agent(new ChatClientBuilder(new ScriptedModel()).UseHermesIsolation().UseFunctionInvocation().Build(_services));

        // Both agents must do the same work: the calls run and are allowed.
        var check = ToolCalls_hermes().GetAwaiter().GetResult();
        if (check.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count(r => r.Result?.ToString() == "ok") != CallsPerRun)
        {
            throw new InvalidOperationException("The Hermes agent did not run the scripted tool calls.");
        }
    }

    private static ChatClientAgent Agent(IChatClient? model = null) => new(model ?? new ScriptedModel(), new ChatClientAgentOptions
    {
        DisableApprovalResponseBinding = true,
        ChatOptions = new ChatOptions
        {
            Tools =
            [
                AIFunctionFactory.Create(() => "ok", "read_file"),
                AIFunctionFactory.Create(() => "ok", "terminal"),
                AIFunctionFactory.Create(() => "ok", "write_file"),
                AIFunctionFactory.Create(() => "ok", "memory"),
                AIFunctionFactory.Create(() => "ok", "session_search"),
            ],
        },
    });

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<AgentResponse> Run_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _plain.RunAsync("hello");
    }

    [Benchmark]
    public async Task<AgentResponse> Run_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _hermes.RunAsync("hello");
    }

    // The same agent over a chat client with the Microsoft.Extensions.AI layer already in it, without the agent-level
    // wrapper: Run_hermes - Run_meai is the wrapper's own cost per run.
    [Benchmark]
    public async Task<AgentResponse> Run_meai()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _meai.RunAsync("hello");
    }

    [Benchmark]
    public async Task<AgentResponse> ToolCalls_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _plain.RunAsync("call");
    }

    [Benchmark]
    public async Task<AgentResponse> ToolCalls_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _hermes.RunAsync("call");
    }

    [Benchmark]
    public async Task<AgentResponse> ToolCalls_meai()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _meai.RunAsync("call");
    }

    // Answers at once: "hello" gets text; "call" gets CallsPerRun calls to read_file, then text once results are in.
    private sealed class ScriptedModel : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var last = messages is IList<ChatMessage> list ? list[^1] : messages.Last();
            if (last.Role != ChatRole.User || last.Text != "call")
            {
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")));
            }

            var calls = new List<AIContent>(CallsPerRun);
            for (var i = 0; i < CallsPerRun; i++)
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
