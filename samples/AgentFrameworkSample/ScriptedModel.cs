using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AgentFrameworkSample;

/// <summary>
/// Stands in for a real model so the sample runs offline. "run &lt;command&gt;" calls the terminal tool (whether or not it
/// was offered: a gullible model); "what do you remember?" lists the user messages it was sent; anything else is echoed.
/// </summary>
internal sealed class ScriptedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var last = list[^1];
        if (last.Contents.OfType<FunctionResultContent>().FirstOrDefault() is { } result)
        {
            var text = result.Result is JsonElement { ValueKind: JsonValueKind.String } s ? s.GetString() : result.Result?.ToString();
            return Say("The terminal said: " + text);
        }

        if (last.Text.StartsWith("run ", StringComparison.Ordinal))
        {
            var call = new FunctionCallContent("call-" + list.Count, "terminal", new Dictionary<string, object?> { ["command"] = last.Text[4..] });
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])));
        }

        if (last.Text == "what do you remember?")
        {
            var earlier = list.Take(list.Count - 1).Where(m => m.Role == ChatRole.User).Select(m => m.Text);
            return Say("You said: " + string.Join(" | ", earlier));
        }

        return Say("echo: " + last.Text);
    }

    private static Task<ChatResponse> Say(string text) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
