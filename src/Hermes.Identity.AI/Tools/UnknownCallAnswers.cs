using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// The loop runs with TerminateOnUnknownCalls, so a call to a name it has never heard of (a name the model made up)
// comes back here instead of being answered "not found" without asking anyone. Each such call goes through the
// gate like any other; the answer (a refusal with its reason, or "no such tool" when the policy would allow it)
// goes back to the model as the call's result. Known calls in the same batch, which the loop also left alone, go
// through the gate too.
internal sealed class UnknownCallAnswers(ToolCallGate gate)
{
    // The calls of the last model reply that nothing answered, when at least one names an unknown tool; else null.
    // Known tools are the offered ones and the loop's AdditionalTools (the host's, and the withheld ones).
    public static List<FunctionCallContent>? Unanswered(IList<ChatMessage> reply, IList<AITool>? offered, IList<AITool>? additional)
    {
        // The loop ends a finished exchange with the model's answer, and a stopped one with the calls it left:
        // look further only when the last message holds a call, so the usual turn pays nothing.
        if (reply.Count == 0 || !HoldsCall(reply[^1]))
        {
            return null;
        }

        List<FunctionCallContent>? calls = null;
        HashSet<string>? answered = null;
        foreach (var message in reply)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent { InformationalOnly: false } call:
                        (calls ??= []).Add(call);
                        break;
                    case FunctionResultContent result:
                        (answered ??= new(StringComparer.Ordinal)).Add(result.CallId);
                        break;
                    case ToolApprovalRequestContent { ToolCall: FunctionCallContent waiting }:
                        (answered ??= new(StringComparer.Ordinal)).Add(waiting.CallId);
                        break;
                }
            }
        }

        if (calls is null)
        {
            return null;
        }

        if (answered is not null)
        {
            for (var i = calls.Count - 1; i >= 0; i--)
            {
                if (answered.Contains(calls[i].CallId))
                {
                    calls.RemoveAt(i);
                }
            }
        }

        foreach (var call in calls)
        {
            if (Find(call.Name, offered, additional, functionsOnly: false) is null)
            {
                return calls;
            }
        }

        return null;
    }

    private static bool HoldsCall(ChatMessage message)
    {
        for (var i = 0; i < message.Contents.Count; i++)
        {
            if (message.Contents[i] is FunctionCallContent { InformationalOnly: false })
            {
                return true;
            }
        }

        return false;
    }

    public async Task<ChatMessage> AnswerAsync(List<FunctionCallContent> calls, IList<AITool>? offered, IList<AITool>? additional, CancellationToken cancellationToken)
    {
        var results = new List<AIContent>(calls.Count);
        foreach (var call in calls)
        {
            var function = (AIFunction?)Find(call.Name, offered, additional, functionsOnly: true);
            results.Add(new FunctionResultContent(call.CallId, await AnswerAsync(call, function, cancellationToken).ConfigureAwait(false)));
        }

        return new ChatMessage(ChatRole.Tool, results);
    }

    // The first tool (or function) of that name: the offered ones first, then AdditionalTools.
    private static AITool? Find(string name, IList<AITool>? offered, IList<AITool>? additional, bool functionsOnly) =>
        Find(name, offered, functionsOnly) ?? Find(name, additional, functionsOnly);

    private static AITool? Find(string name, IList<AITool>? tools, bool functionsOnly)
    {
        if (tools is null)
        {
            return null;
        }

        foreach (var tool in tools)
        {
            if ((!functionsOnly || tool is AIFunction) && string.Equals(tool.Name, name, StringComparison.Ordinal))
            {
                return tool;
            }
        }

        return null;
    }

    private async Task<object?> AnswerAsync(FunctionCallContent call, AIFunction? function, CancellationToken cancellationToken)
    {
        try
        {
            if (function?.GetService<Hermes.Identity.Tools.ToolGate>() is not null)
            {
                // Gated by another adapter's wrapper: it asks the gate itself, once.
                return await function.InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken).ConfigureAwait(false);
            }

            // Through the gate like every call; an offered function is judged there once, then runs underneath its wrapper.
            return await gate.InvokeAsync(call.Name, call.CallId, new AIFunctionArguments(call.Arguments), function, function is null ? null : RunAsync, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A tool's failure is the model's to read, as the loop does for every function.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            // The loop's own wording for a failed function: no exception details reach the model.
            return "Error: Function failed.";
        }
    }

    private static ValueTask<object?> RunAsync(AIFunction? function, AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        function!.GetService<PolicyGatedFunction>() is { } gated
            ? gated.RunJudgedAsync(arguments, cancellationToken)
            : function.InvokeAsync(arguments, cancellationToken);
}
