using Microsoft.Extensions.AI;

namespace Hermes.Identity.SemanticKernel.Tests;

// The model behind a Microsoft.Extensions.AI pipeline, with the same script as ScriptedOpenAIModel: "CALL <id>
// <function> <text>" → one call; a tool result last → "done: <result>"; else "hi". Records the tools and the
// instructions and system messages of each request on the caller's async flow.
internal sealed class ScriptedChatModel : IChatClient
{
    private static readonly AsyncLocal<List<ModelRequest>?> Seen = new();

    public static IDisposable Observe(List<ModelRequest> into)
    {
        Seen.Value = into;
        return new Reset();
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var all = messages.ToList();
        Seen.Value?.Add(new ModelRequest(
            [.. options?.Tools?.Select(t => t.Name) ?? []],
            [.. all.Where(m => m.Role == ChatRole.System).Select(m => m.Text), .. options?.Instructions is { } instructions ? [instructions] : Array.Empty<string>()]));
        if (all[^1].Role == ChatRole.Tool && all[^1].Contents.OfType<FunctionResultContent>().LastOrDefault() is { } result)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"done: {result.Result}")));
        }

        if (all.Last(m => m.Role == ChatRole.User).Text.Split(' ', 4) is ["CALL", var id, var function, var text])
        {
            var call = new FunctionCallContent(id, function, new Dictionary<string, object?> { ["text"] = text });
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
        public void Dispose() => Seen.Value = null;
    }
}
