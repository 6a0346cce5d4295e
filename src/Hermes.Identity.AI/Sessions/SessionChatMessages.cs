using System.Text.Json;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Sessions;

/// <summary>
/// How a conversation of <see cref="ChatMessage"/>s is kept in a profile's <see cref="ISessionStore"/>, and read back.
/// <c>UseHermesSessionHistory()</c> and the Agent Framework adapter's <c>HermesChatHistoryProvider</c> both use it, so a
/// session written by one is read by the other; use it too when you keep the history yourself.
/// </summary>
/// <remarks>
/// <para>Stored: each text of a user, assistant or tool message (roles <c>user</c>, <c>assistant</c>, <c>tool</c>);
/// each function call as an assistant message whose text is the arguments as JSON and whose
/// <see cref="SessionMessage.ToolName"/> and <see cref="SessionMessage.ToolCallId"/> name the call; each function result
/// as a tool message with the call id; each call that waits for an approval as an assistant message
/// <c>{"hermes_approval_request":"&lt;request id&gt;","arguments":{...}}</c>. System messages are never stored (the
/// identity block and the instructions are rebuilt every turn).</para>
/// <para>Read back: the user's and the assistant's text, and the calls that still wait for an approval (no result
/// stored for their call id); other tool calls and results stay in the store, for search and audit, and are not
/// replayed to the model.</para>
/// </remarks>
public static class SessionChatMessages
{
    private const string ApprovalRequestKey = "hermes_approval_request";

    /// <summary>The session messages that keep <paramref name="messages"/>, in order.</summary>
    /// <param name="messages">The messages of a request and its reply.</param>
    /// <param name="now">The time given to a message that has no <see cref="ChatMessage.CreatedAt"/>.</param>
    /// <returns>The messages to append with <see cref="ISessionStore.AppendAsync"/>; empty when there is nothing to keep.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is null.</exception>
    public static IReadOnlyList<SessionMessage> ToSessionMessages(IEnumerable<ChatMessage> messages, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var into = new List<SessionMessage>();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue; // the identity block and instructions are rebuilt every turn; never replay an old nonce
            }

            var role = message.Role == ChatRole.User ? SessionRoles.User : message.Role == ChatRole.Tool ? SessionRoles.Tool : SessionRoles.Assistant;
            var time = message.CreatedAt ?? now;
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent { Text.Length: > 0 } text:
                        into.Add(new SessionMessage(role, text.Text) { Time = time });
                        break;
                    case ToolApprovalRequestContent { ToolCall: FunctionCallContent waiting } request:
                        // A call that waits for an approval: kept so that the requester's next message can run it once
                        // approved (the isolation layer answers it from the approval store, never from the text).
                        into.Add(new SessionMessage(SessionRoles.Assistant, ApprovalRequestText(request.RequestId, waiting.Arguments)) { ToolName = waiting.Name, ToolCallId = waiting.CallId, Time = time });
                        break;
                    case FunctionCallContent call:
                        // SessionRoles has no tool-call role: a call is the assistant's message that names a tool.
                        into.Add(new SessionMessage(SessionRoles.Assistant, ArgumentsText(call.Arguments)) { ToolName = call.Name, ToolCallId = call.CallId, Time = time });
                        break;
                    case FunctionResultContent result:
                        into.Add(new SessionMessage(SessionRoles.Tool, result.Result?.ToString() ?? string.Empty) { ToolCallId = result.CallId, Time = time });
                        break;
                }
            }
        }

        return into;
    }

    /// <summary>The messages to send the model before the new ones, from a session's stored messages.</summary>
    /// <param name="stored">Stored messages, oldest first (as <see cref="ISessionStore.GetMessagesAsync"/> returns them).</param>
    /// <returns>The user's and the assistant's text and the calls still waiting for an approval, oldest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stored"/> is null.</exception>
    public static IReadOnlyList<ChatMessage> ToChatMessages(IReadOnlyList<SessionMessage> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        HashSet<string>? ran = null;
        foreach (var message in stored)
        {
            if (message.Role == SessionRoles.Tool && message.ToolCallId is { } resultOf)
            {
                (ran ??= new HashSet<string>(StringComparer.Ordinal)).Add(resultOf);
            }
        }

        var messages = new List<ChatMessage>(stored.Count);
        foreach (var message in stored)
        {
            if (ToChatMessage(message, ran) is { } restored)
            {
                messages.Add(restored);
            }
        }

        return messages;
    }

    private static ChatMessage? ToChatMessage(SessionMessage stored, HashSet<string>? ran)
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

    // {"hermes_approval_request":"<request id>","arguments":{...}}: how a waiting call is kept in the session store.
    private static string ApprovalRequestText(string requestId, IDictionary<string, object?>? arguments) =>
        "{\"" + ApprovalRequestKey + "\":" + JsonSerializer.Serialize(requestId, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))) + ",\"arguments\":" + ArgumentsText(arguments) + "}";

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
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (!root.TryGetProperty(ApprovalRequestKey, out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("arguments", out var args) || args.ValueKind != JsonValueKind.Object)
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
        catch (JsonException)
        {
            return false;
        }
    }

    private static string ArgumentsText(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
}
