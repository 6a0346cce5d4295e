using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AgentFramework.Sessions;

// How a conversation is kept in a profile's ISessionStore: the same encoding as the Microsoft.Extensions.AI adapter's
// UseHermesSessionHistory (Hermes.Identity.AI, Sessions/SessionHistoryChatClient.cs), so a session written by one is
// read by the other. Keep the two in step.
internal static class SessionMessages
{
    internal static void AddMessages(IEnumerable<ChatMessage> messages, DateTimeOffset now, List<SessionMessage> into)
    {
        foreach (var message in messages)
        {
            var role = message.Role == ChatRole.User ? SessionRoles.User : message.Role == ChatRole.Tool ? SessionRoles.Tool : SessionRoles.Assistant;
            if (message.Role == ChatRole.System)
            {
                continue; // the identity block and instructions are rebuilt every turn; never replay an old nonce
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        into.Add(new SessionMessage(role, text.Text) { Time = message.CreatedAt ?? now });
                        break;
                    case ToolApprovalRequestContent { ToolCall: FunctionCallContent waiting } request:
                        // A call that waits for an approval: kept so that the requester's next message can run it once
                        // approved (the isolation layer answers it from the approval store, never from the text).
                        into.Add(new SessionMessage(SessionRoles.Assistant, ApprovalRequestText(request.RequestId, waiting.Arguments)) { ToolName = waiting.Name, ToolCallId = waiting.CallId, Time = message.CreatedAt ?? now });
                        break;
                    case FunctionCallContent call:
                        // SessionRoles has no tool-call role: a call is the assistant's message that names a tool.
                        into.Add(new SessionMessage(SessionRoles.Assistant, ArgumentsText(call.Arguments)) { ToolName = call.Name, ToolCallId = call.CallId, Time = message.CreatedAt ?? now });
                        break;
                    case FunctionResultContent result:
                        into.Add(new SessionMessage(SessionRoles.Tool, result.Result?.ToString() ?? string.Empty) { ToolCallId = result.CallId, Time = message.CreatedAt ?? now });
                        break;
                }
            }
        }
    }

    // The spoken conversation is replayed to the model, and the calls that still wait for an approval (no result stored
    // for their call id yet); other tool calls and results stay in the store for search and audit.
    internal static ChatMessage? ToChatMessage(SessionMessage stored, IReadOnlySet<string>? ran = null)
    {
        if (stored.Role == SessionRoles.User)
        {
            return new ChatMessage(ChatRole.User, stored.Content) { CreatedAt = stored.Time };
        }

        if (stored.Role != SessionRoles.Assistant)
        {
            return null;
        }

        if (stored.ToolCallId is null)
        {
            return new ChatMessage(ChatRole.Assistant, stored.Content) { CreatedAt = stored.Time };
        }

        if (stored.ToolName is null || ran?.Contains(stored.ToolCallId) == true || !TryReadApprovalRequest(stored.Content, out var requestId, out var arguments))
        {
            return null;
        }

        var call = new FunctionCallContent(stored.ToolCallId, stored.ToolName, arguments);
        return new ChatMessage(ChatRole.Assistant, [new ToolApprovalRequestContent(requestId, call)]) { CreatedAt = stored.Time };
    }

    private const string ApprovalRequestKey = "hermes_approval_request";

    // {"hermes_approval_request":"<request id>","arguments":{...}}: how a waiting call is kept in the session store.
    private static string ApprovalRequestText(string requestId, IDictionary<string, object?>? arguments) =>
        "{\"" + ApprovalRequestKey + "\":" + System.Text.Json.JsonSerializer.Serialize(requestId, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))) + ",\"arguments\":" + ArgumentsText(arguments) + "}";

    private static bool TryReadApprovalRequest(string content, out string requestId, out Dictionary<string, object?>? arguments)
    {
        requestId = string.Empty;
        arguments = null;
        if (!content.StartsWith("{\"" + ApprovalRequestKey + "\":", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(content);
            var root = document.RootElement;
            if (!root.TryGetProperty(ApprovalRequestKey, out var id) || id.ValueKind != System.Text.Json.JsonValueKind.String
                || !root.TryGetProperty("arguments", out var args) || args.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return false;
            }

            requestId = id.GetString()!;
            arguments = [];
            foreach (var property in args.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }

            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static string ArgumentsText(IDictionary<string, object?>? arguments)
    {
        if (arguments is null)
        {
            return "{}";
        }

        var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));
        return System.Text.Json.JsonSerializer.Serialize(arguments, typeInfo);
    }
}
