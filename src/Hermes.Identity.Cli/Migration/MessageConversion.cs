using System.Text.Json;
using Hermes.Identity.Sessions;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// Hermes messages as session messages. A tool call is kept the way the library's chat adapter keeps one
/// (UseHermesSessionHistory): an assistant message whose content is the call's arguments, with ToolName and ToolCallId;
/// the result is a tool message with the same ToolCallId. An assistant message's own text comes before its calls.
/// </summary>
internal static class MessageConversion
{
    public static List<SessionMessage> Convert(IReadOnlyList<HermesMessage> messages, int maxLength, ref int skipped, ref int toolCalls)
    {
        var converted = new List<SessionMessage>(messages.Count);
        foreach (var m in messages)
        {
            var role = m.Role switch
            {
                "user" => SessionRoles.User,
                "assistant" => SessionRoles.Assistant,
                "tool" or "function" => SessionRoles.Tool,
                "system" => SessionRoles.System,
                _ => null,
            };
            if (role is null || (m.Content?.Length ?? 0) > maxLength)
            {
                skipped++;
                continue;
            }

            var calls = role == SessionRoles.Assistant && !string.IsNullOrWhiteSpace(m.ToolCallsJson) ? ReadCalls(m.ToolCallsJson!) : null;
            if (!string.IsNullOrEmpty(m.Content) || calls is null)
            {
                converted.Add(new SessionMessage(role, m.Content ?? string.Empty)
                {
                    ToolCallId = role == SessionRoles.Tool ? m.ToolCallId : null,
                    ToolName = role == SessionRoles.Tool ? m.ToolName : null,
                    Time = m.Time,
                });
            }

            foreach (var (id, name, arguments) in calls ?? [])
            {
                toolCalls++;
                converted.Add(new SessionMessage(SessionRoles.Assistant, arguments.Length <= maxLength ? arguments : "{}") { ToolName = name, ToolCallId = id, Time = m.Time });
            }
        }

        return converted;
    }

    // OpenAI-style: [{"id": "...", "type": "function", "function": {"name": "...", "arguments": "{...}"}}]; arguments may be an object.
    private static List<(string Id, string Name, string Arguments)>? ReadCalls(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var calls = new List<(string, string, string)>();
            var n = 0;
            foreach (var call in doc.RootElement.EnumerateArray())
            {
                n++;
                var function = call.TryGetProperty("function", out var f) ? f : call;
                var name = function.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString()! : "unknown";
                var id = call.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : $"call_{n}";
                var arguments = function.TryGetProperty("arguments", out var a)
                    ? a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()
                    : "{}";
                calls.Add((id, name, arguments));
            }

            return calls;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
