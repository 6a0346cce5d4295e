using Hermes.Identity.AI.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using CoreApprovals = Hermes.Identity.Approvals.Approvals;

namespace Hermes.Identity.AI.Approvals;

// Carries Microsoft.Extensions.AI's approval messages across turns, with the core's stored approval requests as the
// only authority. When the loop hands back a ToolApprovalRequestContent, the call is asked of the policy engine, which
// stores the request (bound to the profile, the conversation, the call id and the arguments digest) and tells the
// IApprovalNotifiers; the request's code goes on the content (AdditionalProperties["hermes.approval_id"]). A holder
// of approval.grant answers it through Approvals in a message of their own. On the requester's next request, every
// approval request in the conversation that has not run yet is answered from the store: approved becomes an approving
// response (the loop then invokes the function, and the engine uses the approval up before it runs: once), denied,
// used or expired a rejection saying why; a pending one is left out of what the loop sees until it is answered. Approval responses the host or the requester put
// in the messages are dropped: a requester's "yes" never counts.
internal sealed class ApprovalAnswers(PolicyEngine policy, CoreApprovals? approvals, ILogger logger)
{
    public const string IdProperty = "hermes.approval_id";

    // Asks the engine about each call the loop wants approved: it stores the request, once, and tells the approvers.
    public async ValueTask RegisterAsync(IList<AIContent> contents, CancellationToken cancellationToken)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not ToolApprovalRequestContent { ToolCall: FunctionCallContent call } request)
            {
                continue;
            }

            var digest = ToolArguments.ComputeDigest(call.Arguments, AIJsonUtilities.DefaultOptions);
            var stored = approvals is null ? null : await approvals.FindForCallAsync(call.Name, call.CallId, digest, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                // Not asked yet: this decision stores the request and tells the approvers.
                var decision = await policy.AuthorizeToolCallAsync(call.Name, call.CallId, digest, cancellationToken).ConfigureAwait(false);
                stored = decision.Approval;
            }

            if (stored is not null)
            {
                (request.AdditionalProperties ??= [])[IdProperty] = stored.Id;
            }
        }
    }

    // The conversation as the loop should see it: each approval request that has not run is answered from the store.
    public async ValueTask<IEnumerable<ChatMessage>> AnswerAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var all = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        if (!HasApprovalContent(all))
        {
            return all;
        }

        var ran = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in all)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result)
                {
                    ran.Add(result.CallId);
                }
            }
        }

        var answered = new List<ChatMessage>(all.Count + 1);
        foreach (var message in all)
        {
            List<AIContent>? kept = null;
            List<AIContent>? responses = null;
            for (var i = 0; i < message.Contents.Count; i++)
            {
                var content = message.Contents[i];
                if (content is ToolApprovalResponseContent dropped)
                {
                    Log.ApprovalResponseRefused(logger, dropped.RequestId, "approval responses in the messages are ignored: the stored request's answer decides");
                    kept ??= [.. message.Contents.Take(i)];
                    continue;
                }

                if (content is ToolApprovalRequestContent { ToolCall: FunctionCallContent call } request && !ran.Contains(call.CallId))
                {
                    if (await ResponseAsync(request, call, cancellationToken).ConfigureAwait(false) is { } response)
                    {
                        (responses ??= []).Add(response);
                    }
                    else
                    {
                        // Still pending: the loop refuses a request without an answer, so this request leaves its view
                        // (the host's history keeps it, and the next message asks the store again).
                        kept ??= [.. message.Contents.Take(i)];
                        continue;
                    }
                }

                kept?.Add(content);
            }

            if (kept is null)
            {
                answered.Add(message);
            }
            else if (kept.Count > 0)
            {
                var copy = message.Clone();
                copy.Contents = kept;
                answered.Add(copy);
            }

            if (responses is not null)
            {
                answered.Add(new ChatMessage(ChatRole.User, responses));
            }
        }

        return answered;
    }

    private static bool HasApprovalContent(IReadOnlyList<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is ToolApprovalRequestContent or ToolApprovalResponseContent)
                {
                    return true;
                }
            }
        }

        return false;
    }

    // What the store says about this call in this person's conversation: approved, a rejection, or nothing yet.
    private async ValueTask<ToolApprovalResponseContent?> ResponseAsync(ToolApprovalRequestContent request, FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (approvals is null)
        {
            return null;
        }

        var stored = await approvals.FindForCallAsync(call.Name, call.CallId, ToolArguments.ComputeDigest(call.Arguments, AIJsonUtilities.DefaultOptions), cancellationToken).ConfigureAwait(false);
        return stored?.State switch
        {
            null => new ToolApprovalResponseContent(request.RequestId, false, call) { Reason = "No approval was asked for this call by this person in this conversation, so it does not run." },
            ApprovalState.Pending => null,
            ApprovalState.Approved => new ToolApprovalResponseContent(request.RequestId, true, call),
            ApprovalState.Denied => new ToolApprovalResponseContent(request.RequestId, false, call) { Reason = $"{stored.AnsweredBy} denied this call (approval {stored.Id}), so it did not run." },
            ApprovalState.Used => new ToolApprovalResponseContent(request.RequestId, false, call) { Reason = $"This call already ran once on approval {stored.Id}." },
            _ => new ToolApprovalResponseContent(request.RequestId, false, call) { Reason = $"Approval {stored.Id} expired, so the call did not run. Ask for it again." },
        };
    }
}
