using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Hermes.Identity.SemanticKernel.Tests;

/// <summary>How a kernel stack reaches the model: SK's own connector loop, or an M.E.AI pipeline under SK's loop.</summary>
public enum KernelLoop
{
    /// <summary>SK's OpenAI connector and its FunctionCallsProcessor; the kernel's IChatCompletionService.</summary>
    Connector,

    /// <summary>The kernel's IChatClient (UseHermesIsolation, then SK's KernelFunctionInvokingChatClient) as an IChatCompletionService.</summary>
    ChatClient,
}

// A real kernel from the host's services (services.AddKernel()...UseHermesIsolation()), with the suite's tools as the
// plugin "Conformance". Model calls go through the real function-calling loop with FunctionChoiceBehavior.Auto();
// middleware calls invoke the kernel function directly with kernel.InvokeAsync.
internal sealed class KernelStack(HermesHost host, KernelLoop loop, string plugin = KernelTools.Plugin) : IConformanceStack
{
    // The OpenAI connector's placeholder when a request that asks for functions ends up with none: not a function.
    public const string NoTool = "NonInvocableTool";

    public Kernel Kernel { get; } = host.Services.GetRequiredService<Kernel>();

    // What the host adds to its services for this stack.
    public static void Configure(IServiceCollection services, IEnumerable<KernelFunction> functions, KernelLoop loop, string plugin = KernelTools.Plugin, bool hermes = true, Action<IKernelBuilder>? before = null)
    {
        var kernel = services.AddKernel();
        kernel.Plugins.Add(KernelPluginFactory.CreateFromFunctions(plugin, functions));
        before?.Invoke(kernel);
        if (loop == KernelLoop.Connector)
        {
#pragma warning disable CA2000 // the kernel's service owns the client for the host's lifetime
            kernel.AddOpenAIChatCompletion("scripted", new Uri("http://127.0.0.1:9/v1"), "not-a-key", httpClient: new HttpClient(new ScriptedOpenAIModel()));
#pragma warning restore CA2000
        }
        else
        {
            services.AddChatClient(new ScriptedChatModel()).UseHermesIsolation().UseKernelFunctionInvocation();
        }

        if (hermes)
        {
            kernel.UseHermesIsolation();
        }
    }

    public IChatCompletionService Chat => loop == KernelLoop.Connector
        ? Kernel.GetRequiredService<IChatCompletionService>()
        : Kernel.GetRequiredService<Microsoft.Extensions.AI.IChatClient>().AsChatCompletionService(Kernel.Services);

    public string WireName(string toolName) =>
        toolName == "format_disk" ? toolName : plugin + (loop == KernelLoop.Connector ? "-" : "_") + toolName;

    public async Task<IReadOnlyList<string>> OfferedToolsAsync(SenderEnvelope sender)
    {
        var requests = await SeenByModelAsync(sender, "hello");
        return [.. requests.SelectMany(r => r.Tools).Where(n => n != NoTool).Select(n => KernelTools.Listed(n, plugin))];
    }

    /// <summary>The requests the model received for one message of <paramref name="sender"/>'s.</summary>
    public async Task<List<ModelRequest>> SeenByModelAsync(SenderEnvelope sender, string message) =>
        await host.InTurnAsync(sender, async _ =>
        {
            var seen = new List<ModelRequest>();
            using (loop == KernelLoop.Connector ? ScriptedOpenAIModel.Observe(seen) : ScriptedChatModel.Observe(seen))
            {
                await AskAsync(message);
            }

            return seen;
        });

    public async Task<string> CallAsync(SenderEnvelope? sender, string toolName, string callId, string text, ConformanceCallRoute route)
    {
        Func<Task<string>> call = route == ConformanceCallRoute.Middleware
            ? () => InvokeAsync(toolName, text)
            : async () => ResultOf(await AskAsync($"CALL {callId} {WireName(toolName)} {text}"));
        return sender is null ? await call() : await host.InTurnAsync(sender, async _ => await call());
    }

    /// <summary>Sends one user message through the loop; returns the history with everything the loop added.</summary>
    public async Task<ChatHistory> AskAsync(string message)
    {
        var history = new ChatHistory("You are a helpful assistant.");
        history.AddUserMessage(message);
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var reply = await Chat.GetChatMessageContentAsync(history, settings, Kernel);
        history.Add(reply);
        return history;
    }

    /// <summary>Invokes the plugin's function directly, as middleware or host code would.</summary>
    public async Task<string> InvokeAsync(string toolName, string text)
    {
        var result = await Kernel.InvokeAsync(plugin, toolName, new KernelArguments { ["text"] = text });
        return result.GetValue<object>()?.ToString() ?? "";
    }

    // The result the model got back for the call: the last function result in the history.
    public static string ResultOf(ChatHistory history) =>
        history.SelectMany(m => m.Items).OfType<Microsoft.SemanticKernel.FunctionResultContent>().Select(r => r.Result?.ToString()).LastOrDefault(r => r is not null)
        ?? history[^1].Content ?? "";

    public ValueTask DisposeAsync() => default;
}
