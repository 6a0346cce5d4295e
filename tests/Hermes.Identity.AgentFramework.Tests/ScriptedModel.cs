using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AgentFramework.Tests;

/// <summary>
/// The model under the real ChatClientAgent: answers at once, from a script, so a test knows what it will do.
/// "hello" gets the names of the tools it was offered; "call &lt;tool&gt; &lt;id&gt; &lt;text&gt;" gets a call to that tool
/// (unless the request holds that call's result already), and once a result is in, "result: &lt;the result&gt;";
/// anything else gets "echo: &lt;text&gt;". It counts the requests and the messages of each, for the duplicate tests.
/// </summary>
public sealed class ScriptedModel : IChatClient
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<ChatMessage>> _requests = [];

    /// <summary>Every request's messages, in order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (_gate)
        {
            _requests.Add(list);
        }

        return Task.FromResult(new ChatResponse(Answer(list, options)));
    }

    private static ChatMessage Answer(List<ChatMessage> messages, ChatOptions? options)
    {
        var last = messages[^1];
        if (last.Contents.OfType<FunctionResultContent>().LastOrDefault() is { } fresh)
        {
            return Say("result: " + Text(fresh));
        }

        var text = last.Role == ChatRole.User ? last.Text : string.Empty;
        if (text == "hello")
        {
            return Say("offered: " + string.Join(",", (options?.Tools ?? []).Select(t => t.Name).Order(StringComparer.Ordinal)));
        }

        if (text.StartsWith("call ", StringComparison.Ordinal))
        {
            var parts = text.Split(' ', 4);
            var (tool, callId, argument) = (parts[1], parts[2], parts.Length > 3 ? parts[3] : string.Empty);
            var answered = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault(r => r.CallId == callId);
            return answered is not null
                ? Say("result: " + Text(answered))
                : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(callId, tool, new Dictionary<string, object?> { ["text"] = argument })]);
        }

        return Say("echo: " + text);
    }

    private static ChatMessage Say(string text) => new(ChatRole.Assistant, text);

    private static string Text(FunctionResultContent result) => result.Result switch
    {
        null => string.Empty,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        var other => other.ToString() ?? string.Empty,
    };

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The scripted model answers whole responses only.");

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
