using Hermes.Identity.SemanticKernel.Internal;
using Hermes.Identity.Tools;
using AIJsonUtilities = Microsoft.Extensions.AI.AIJsonUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Hermes.Identity.SemanticKernel.Chat;

// The history one request of a turn works on: the caller's messages with the identity block, and whatever the
// connector's function loop appends. SK's loop answers a call to a function it did not advertise (one the policy
// withheld) or cannot find (one the model made up) itself, before any filter runs, with an error of its own; this
// history sends each such answer through the gate as it is appended, so the call is decided and recorded like any
// other and the model reads why it did not run. The connector calls Add synchronously between two model calls, so
// the decision is waited for there.
internal sealed class TurnChatHistory : ChatHistory
{
    // FunctionCallsProcessor's wording (Semantic Kernel 1.82) for the calls it refuses before the filters.
    private const string NotAdvertised = "Error: Function call request for a function that wasn't defined.";
    private const string NotFound = "Error: Requested function could not be found.";

    private readonly ToolGate _gate;
    private readonly ILogger _logger;

    public TurnChatHistory(IEnumerable<ChatMessageContent> messages, ToolGate gate, ILogger logger)
        : base(messages)
    {
        _gate = gate;
        _logger = logger;
    }

    public override void Add(ChatMessageContent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Role == AuthorRole.Tool)
        {
            Judge(item);
        }

        base.Add(item);
    }

    private void Judge(ChatMessageContent message)
    {
        var items = message.Items;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is not FunctionResultContent { Result: string text } result
                || !(text.StartsWith(NotAdvertised, StringComparison.Ordinal) || text.StartsWith(NotFound, StringComparison.Ordinal))
                || string.IsNullOrEmpty(result.FunctionName))
            {
                continue;
            }

            var name = FunctionNames.Of(result.PluginName, result.FunctionName);
            var pending = _gate.DecideCallAsync(name, result.CallId, FindArguments(result.CallId), AIJsonUtilities.DefaultOptions);
            var verdict = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            if (verdict.MayRun)
            {
                continue; // the policy would allow it, but there is no such function to run: SK's answer stands
            }

            Log.FunctionRefused(_logger, name, result.CallId, _gate.CurrentTurn?.Sender, verdict.Decision.Reason);
            items[i] = new FunctionResultContent(result.FunctionName, result.PluginName, result.CallId, verdict.RefusalText);
            if (string.Equals(message.Content, text, StringComparison.Ordinal))
            {
                message.Content = verdict.RefusalText;
            }
        }
    }

    // The arguments of the call this result answers, from the model's message that made it.
    private KernelArguments? FindArguments(string? callId)
    {
        if (callId is null)
        {
            return null;
        }

        for (var m = Count - 1; m >= 0; m--)
        {
            foreach (var content in this[m].Items)
            {
                if (content is FunctionCallContent call && string.Equals(call.Id, callId, StringComparison.Ordinal))
                {
                    return call.Arguments;
                }
            }
        }

        return null;
    }
}
