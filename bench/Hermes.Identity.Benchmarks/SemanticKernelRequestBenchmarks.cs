using BenchmarkDotNet.Attributes;
using Hermes.Identity;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Hermes.Identity.Benchmarks;

/// <summary>
/// What Hermes.Identity.SemanticKernel adds to one chat request: the same kernel (plugin Files with five functions,
/// FunctionChoiceBehavior.Auto(), a zero-latency scripted IChatCompletionService that, as a connector does, asks the
/// behaviour which functions to advertise and reads the history) with and without UseHermesIsolation(), each request
/// inside a real turn. The adapter's per-request part wraps the kernel's IChatCompletionService: the functions offered
/// filtered by the policy, the identity block (with the sender's memory) put after the system messages, the working
/// history that judges the loop's own refusals.
/// Per request: Request_hermes − Request_plain. Of that, the core's identity block is IdentityBlock − Turn_only (the
/// same block the Microsoft.Extensions.AI adapter adds) and the core's policy asked about each function's visibility is
/// Visibility − Turn_only; the adapter's own cost is the rest:
/// (Request_hermes − Request_plain) − (IdentityBlock − Turn_only) − (Visibility − Turn_only).
/// </summary>
[MemoryDiagnoser]
public class SemanticKernelRequestBenchmarks
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          mei:
            role: trusted
            accounts: { telegram: "5550001" }
        tools:
          Files.read_file: files.read
          Files.write_file: files.write
          Files.terminal: exec
          Files.memory: memory
          Files.session_search: sessions
        """;

    private static readonly string[] Names = ["Files.read_file", "Files.write_file", "Files.terminal", "Files.memory", "Files.session_search"];

    private string _root = null!;
    private ServiceProvider _plainServices = null!;
    private ServiceProvider _hermesServices = null!;
    private ITurnScopeFactory _turns = null!;
    private IdentityResolution _mei = null!;
    private ToolGate _gate = null!;
    private Kernel _plain = null!;
    private Kernel _hermes = null!;
    private IChatCompletionService _plainChat = null!;
    private IChatCompletionService _hermesChat = null!;
    private ChatHistory _history = null!;
    private PromptExecutionSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "hermes-bench-skreq-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "identities.yaml"), Yaml);
        _plainServices = Build(hermes: false);
        _hermesServices = Build(hermes: true);
        _turns = _hermesServices.GetRequiredService<ITurnScopeFactory>();
        _gate = _hermesServices.GetRequiredService<ToolGate>();
        _mei = _hermesServices.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "5550001")).AsTask().GetAwaiter().GetResult();
        _plain = _plainServices.GetRequiredService<Kernel>();
        _hermes = _hermesServices.GetRequiredService<Kernel>();
        _plainChat = _plain.GetRequiredService<IChatCompletionService>();
        _hermesChat = _hermes.GetRequiredService<IChatCompletionService>();
        _history = new ChatHistory("You are a helpful assistant.");
        _history.AddUserMessage("hello");
        _settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

        // Both must do the same work: one reply, the caller's history untouched. Plain advertises all five functions;
        // Hermes hides one from the trusted role (so the offer filter does its whole work: a copy of the settings with a
        // new behaviour) and adds the identity block as a third message.
        var plain = Request_plain().GetAwaiter().GetResult();
        var hermes = Request_hermes().GetAwaiter().GetResult();
        if (plain.Content != "hi 5 2" || hermes.Content != "hi 4 3" || _history.Count != 2)
        {
            throw new InvalidOperationException($"The requests did not do the same work: plain \"{plain.Content}\", Hermes \"{hermes.Content}\".");
        }
    }

    private ServiceProvider Build(bool hermes)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _root);
        if (Environment.GetEnvironmentVariable("HERMES_BENCH_NO_MEMORY") == "1")
        {
            // No memory in the identity block (no file checks): the adapter's own cost stands out of the noise on a busy machine.
            Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.RemoveAll<Hermes.Identity.Memory.IMemoryStore>(services);
        }

        var kernel = services.AddKernel();
        kernel.Plugins.AddFromFunctions("Files",
        [
            KernelFunctionFactory.CreateFromMethod((string path) => "ok", "read_file"),
            KernelFunctionFactory.CreateFromMethod((string path, string text) => "ok", "write_file"),
            KernelFunctionFactory.CreateFromMethod((string command) => "ok", "terminal"),
            KernelFunctionFactory.CreateFromMethod((string text) => "ok", "memory"),
            KernelFunctionFactory.CreateFromMethod((string query) => "ok", "session_search"),
        ]);
        kernel.Services.AddSingleton<IChatCompletionService>(new ScriptedService());
        if (hermes)
        {
            kernel.UseHermesIsolation();
        }

        return services.BuildServiceProvider();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainServices.Dispose();
        _hermesServices.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<ChatMessageContent> Request_plain()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return (await _plainChat.GetChatMessageContentsAsync(_history, _settings, _plain))[0];
    }

    [Benchmark]
    public async Task<ChatMessageContent> Request_hermes()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return (await _hermesChat.GetChatMessageContentsAsync(_history, _settings, _hermes))[0];
    }

    // The turn alone, and the turn with the core's identity block: what every adapter's request has in common.
    [Benchmark]
    public async Task Turn_only()
    {
        await using var turn = _turns.BeginTurn(_mei);
    }

    [Benchmark]
    public async Task<string> IdentityBlock()
    {
        await using var turn = _turns.BeginTurn(_mei);
        return await _gate.RenderIdentityBlockAsync();
    }

    // The core's per-request policy work the adapter asks for: one visibility decision per function the request offers.
    [Benchmark]
    public async Task<int> Visibility()
    {
        await using var turn = _turns.BeginTurn(_mei);
        var shown = 0;
        foreach (var name in Names)
        {
            shown += await _gate.GetVisibilityAsync(name) == ToolVisibility.Hidden ? 0 : 1;
        }

        return shown;
    }

    // Answers at once, after doing what a connector does before it sends a request: asks the request's behaviour which
    // functions to advertise and reads every message. Its reply says how many functions and messages it saw.
    private sealed class ScriptedService : IChatCompletionService
    {
        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
            ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
        {
            var functions = executionSettings?.FunctionChoiceBehavior?.GetConfiguration(new FunctionChoiceBehaviorConfigurationContext(chatHistory) { Kernel = kernel }).Functions;
            var advertised = 0;
            if (functions is not null)
            {
                foreach (var function in functions)
                {
                    advertised += function.Metadata.Parameters.Count > 0 ? 1 : 0;
                }
            }

            var messages = 0;
            foreach (var message in chatHistory)
            {
                messages += message.Content is null ? 0 : 1;
            }

            IReadOnlyList<ChatMessageContent> reply = [new ChatMessageContent(AuthorRole.Assistant, $"hi {advertised} {messages}")];
            return Task.FromResult(reply);
        }

        public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
            ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
