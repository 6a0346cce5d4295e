using Hermes.Identity.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Tests;

// The adapter conformance suite (TestSupport's AdapterConformance) against the Microsoft.Extensions.AI adapter: a real
// ChatClientBuilder pipeline, UseHermesIsolation before the real FunctionInvokingChatClient, a scripted model.
public sealed class MeaiConformanceTests : AdapterConformance
{
    protected override void AddStateStore(IHermesIsolationBuilder isolation) => isolation.AddSqliteState();

    protected override Task<IConformanceStack> CreateStackAsync(HermesHost host) =>
        Task.FromResult<IConformanceStack>(new Stack(host, Tools));

    private sealed class Stack : IConformanceStack
    {
        private readonly HermesHost _host;
        private readonly List<AITool> _functions;
        private readonly FunctionInvokingChatClient _loop;
        private readonly IChatClient _chat;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<ChatMessage>> _waiting = new();

        public Stack(HermesHost host, IReadOnlyList<ConformanceTool> tools)
        {
            _host = host;
            _functions = [.. tools.Select(AsFunction)];
            _chat = new ChatClientBuilder(new ScriptedModel())
                .UseHermesIsolation()
                .UseFunctionInvocation()
                .Build(host.Services);
            _loop = _chat.GetService<FunctionInvokingChatClient>()!;
        }

        public async Task<IReadOnlyList<string>> OfferedToolsAsync(SenderEnvelope sender)
        {
            var model = _chat.GetService<ScriptedModel>()!;
            return await _host.InTurnAsync(sender, async _ =>
            {
                var seen = new List<string>();
                using (ScriptedModel.Observe(seen))
                {
                    await _chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], new ChatOptions { Tools = _functions });
                }

                return (IReadOnlyList<string>)seen;
            });
        }

        public async Task<string> CallAsync(SenderEnvelope? sender, string toolName, string callId, string text, ConformanceCallRoute route)
        {
            // Middleware: the host's own tools handed to the loop (AdditionalTools), which its invoker runs; never offered.
            var options = route == ConformanceCallRoute.Middleware ? new ChatOptions() : new ChatOptions { Tools = _functions };
            _loop.AdditionalTools = route == ConformanceCallRoute.Middleware ? _functions : null;
            if (sender is null)
            {
                return ResultOf(await _chat.GetResponseAsync([new ChatMessage(ChatRole.User, $"CALL {callId} {toolName} {text}")], options));
            }

            // A call that waited for an approval is presented again as M.E.AI does: the conversation so far, with the
            // loop's ToolApprovalRequestContent in it, sent back (UseHermesIsolation answers it from the store).
            var key = $"{sender.Platform}:{sender.UserId}:{callId}";
            List<ChatMessage> request = _waiting.TryGetValue(key, out var earlier)
                ? [.. earlier, new ChatMessage(ChatRole.User, "go on")]
                : [new ChatMessage(ChatRole.User, $"CALL {callId} {toolName} {text}")];
            return await _host.InTurnAsync(sender, async _ =>
            {
                var response = await _chat.GetResponseAsync(request, options);
                if (response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().Any())
                {
                    _waiting[key] = [.. request, .. response.Messages];
                    return "waiting for approval";
                }

                return ResultOf(response);
            });
        }

        public ValueTask DisposeAsync()
        {
            _chat.Dispose();
            return default;
        }

        private static string ResultOf(ChatResponse response) =>
            response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => $"{r.Result}").LastOrDefault()
            ?? response.Text;

        private static AIFunction AsFunction(ConformanceTool tool) =>
            AIFunctionFactory.Create(
                (string? text, IServiceProvider? services) => tool.RunAsync(services, text),
                new AIFunctionFactoryOptions { Name = tool.Name, Description = tool.Description });
    }

    // The model: "CALL <id> <tool> <text>" → one function call; once a result is in, it answers with it. Records the
    // tools each request offered.
    private sealed class ScriptedModel : IChatClient
    {
        private static readonly AsyncLocal<List<string>?> Offered = new();

        public static IDisposable Observe(List<string> into)
        {
            Offered.Value = into;
            return new Reset();
        }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Offered.Value?.AddRange(options?.Tools?.Select(t => t.Name) ?? []);
            var all = messages.ToList();
            if (all[^1].Role != ChatRole.User && all.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault() is { } result)
            {
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"done: {result.Result}")));
            }

            var parts = all.Last(m => m.Role == ChatRole.User).Text.Split(' ', 4);
            if (parts is ["CALL", var id, var tool, var text])
            {
                var call = new FunctionCallContent(id, tool, new Dictionary<string, object?> { ["text"] = text });
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
            }

            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hi")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }

        private sealed class Reset : IDisposable
        {
            public void Dispose() => Offered.Value = null;
        }
    }
}
