using System.Net;
using System.Text;
using System.Text.Json;

namespace Hermes.Identity.SemanticKernel.Tests;

/// <summary>One request as the model received it: the tools it was offered and its system messages.</summary>
internal sealed record ModelRequest(IReadOnlyList<string> Tools, IReadOnlyList<string> SystemMessages);

// The model behind SK's own OpenAI connector, answering the chat completions wire format in process (nothing leaves
// the process: it is the HttpClient's handler). "CALL <id> <function> <text>" from the user → one tool call of that
// function with {"text": text}; a tool result last → "done: <result>"; anything else → "hi". Records each request on
// the caller's async flow (Observe).
internal sealed class ScriptedOpenAIModel : HttpMessageHandler
{
    private static readonly AsyncLocal<List<ModelRequest>?> Seen = new();

    public static IDisposable Observe(List<ModelRequest> into)
    {
        Seen.Value = into;
        return new Reset();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var root = body.RootElement;
        var tools = root.TryGetProperty("tools", out var offered)
            ? offered.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!).ToList()
            : [];
        var messages = root.GetProperty("messages").EnumerateArray().ToList();
        Seen.Value?.Add(new ModelRequest(tools, [.. messages.Where(m => Role(m) == "system").Select(Text)]));

        object message;
        var last = messages[^1];
        if (Role(last) == "tool")
        {
            message = new { role = "assistant", content = "done: " + Text(last) };
        }
        else if (Text(messages.Last(m => Role(m) == "user")).Split(' ', 4) is ["CALL", var id, var function, var text])
        {
            var arguments = JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = text });
            message = new
            {
                role = "assistant",
                content = (string?)null,
                tool_calls = new[] { new { id, type = "function", function = new { name = function, arguments } } },
            };
        }
        else
        {
            message = new { role = "assistant", content = "hi" };
        }

        var reply = JsonSerializer.Serialize(new
        {
            id = "chatcmpl-scripted",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "scripted",
            choices = new[] { new { index = 0, message, finish_reason = message.GetType().GetProperty("tool_calls") is null ? "stop" : "tool_calls" } },
            usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
        });
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(reply, Encoding.UTF8, "application/json") };
    }

    private static string Role(JsonElement message) => message.GetProperty("role").GetString()!;

    private static string Text(JsonElement message) => message.TryGetProperty("content", out var content)
        ? content.ValueKind == JsonValueKind.Array
            ? string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""))
            : content.ValueKind == JsonValueKind.String ? content.GetString()! : ""
        : "";

    private sealed class Reset : IDisposable
    {
        public void Dispose() => Seen.Value = null;
    }
}
