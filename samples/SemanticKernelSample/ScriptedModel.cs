using System.Net;
using System.Text;
using System.Text.Json;

namespace SemanticKernelSample;

/// <summary>
/// Stands in for the model, in process (the HttpClient's handler: nothing leaves the machine). "run X" → a call to
/// Shell-terminal with {"command": X}; once the call's result is in → "Here it is: " and the result.
/// </summary>
public sealed class ScriptedModel : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
        var last = body.RootElement.GetProperty("messages").EnumerateArray().Last();
        var text = last.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : "";
        object message = last.GetProperty("role").GetString() == "tool"
            ? new { role = "assistant", content = "Here it is: " + text }
            : new
            {
                role = "assistant",
                content = (string?)null,
                tool_calls = new[]
                {
                    new { id = "call-1", type = "function", function = new { name = "Shell-terminal", arguments = JsonSerializer.Serialize(new { command = text.Replace("run ", "", StringComparison.Ordinal) }) } },
                },
            };
        var reply = JsonSerializer.Serialize(new
        {
            id = "scripted",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "scripted",
            choices = new[] { new { index = 0, message, finish_reason = "stop" } },
        });
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(reply, Encoding.UTF8, "application/json") };
    }
}
