using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Hermes.Identity.AI.Internal;
using Hermes.Identity.AI.Tools;
using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI.Approvals;

/// <summary>
/// Connects Microsoft.Extensions.AI's approval messages to the policy engine's approvals. When the loop hands the host
/// a <see cref="ToolApprovalRequestContent"/> for a call the policy sends for approval, the adapter asks the engine
/// for that exact call (profile, turn, tool call id, SHA-256 of the arguments) and keeps the engine's
/// <see cref="ApprovalRequest"/> under the content's request id. A person holding <c>approval.grant</c> approves it
/// with <see cref="ApproveAsync"/> in their own turn, which is <see cref="PolicyEngine.GrantApprovalAsync"/>: the
/// engine keeps the one ledger of approvals, and it alone lets the call run, once, when the requester's approving
/// <see cref="ToolApprovalResponseContent"/> comes back within the same turn. Any other approving response is turned
/// into a rejection before the function-invocation loop sees it.
/// </summary>
/// <remarks>
/// Get the instance from the pipeline: <c>chatClient.GetService&lt;ToolApprovals&gt;()</c>. Every pipeline built on
/// the same <see cref="PolicyEngine"/> shares one. The requester's turn stays open while the approval is sought: the
/// engine binds an approval to the turn it was asked in.
/// </remarks>
public sealed class ToolApprovals
{
    // One per engine, whichever pipeline asked first: an approval asked through one chat client can be granted through another.
    private static readonly ConditionalWeakTable<PolicyEngine, ToolApprovals> PerEngine = new();

    private readonly ConcurrentDictionary<string, Entry> _requests = new(StringComparer.Ordinal);
    private readonly PolicyEngine _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private ToolApprovals(PolicyEngine policy, TimeProvider time, ILogger logger)
    {
        _policy = policy;
        _time = time;
        _logger = logger;
    }

    private enum State
    {
        Open,
        Granted,
        Used,
        Rejected,
    }

    /// <summary>
    /// The approval requests waiting for an answer: not yet granted, rejected or used, and not expired
    /// (<see cref="ApprovalRequest.ExpiresAt"/>), oldest first. Request id, requesting profile and tool name, for a
    /// host's "approve?" prompt.
    /// </summary>
    public IReadOnlyList<(string RequestId, string ProfileKey, string ToolName)> Pending
    {
        get
        {
            var now = _time.GetUtcNow();
            var open = new List<KeyValuePair<string, Entry>>();
            foreach (var pair in _requests)
            {
                if (pair.Value.State == State.Open && pair.Value.Request.ExpiresAt > now)
                {
                    open.Add(pair);
                }
            }

            open.Sort(static (a, b) => a.Value.RegisteredAt.CompareTo(b.Value.RegisteredAt));
            return open.ConvertAll(static p => (p.Key, p.Value.Request.ProfileKey, p.Value.ToolName));
        }
    }

    /// <summary>
    /// Approves request <paramref name="requestId"/> as the sender of the turn in progress, through
    /// <see cref="PolicyEngine.GrantApprovalAsync"/>: the policy decides whether they may (<c>approval.grant</c>), and
    /// refuses a request that has expired or whose call already ran. The decision is returned either way.
    /// </summary>
    public async ValueTask<PolicyDecision> ApproveAsync(string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (!_requests.TryGetValue(requestId, out var entry) || entry.IsForgotten(_time.GetUtcNow()))
        {
            return PolicyDecision.Deny("No approval request has this id; it may have expired.");
        }

        if (entry.State == State.Rejected)
        {
            return PolicyDecision.Deny("This approval request was answered with a rejection; the call did not run. Another run needs a new request.");
        }

        var decision = await _policy.GrantApprovalAsync(entry.Request, cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            entry.Move(State.Open, State.Granted);
        }

        return decision;
    }

    internal static ToolApprovals For(PolicyEngine policy, TimeProvider time, ILogger logger) =>
        PerEngine.GetValue(policy, p => new ToolApprovals(p, time, logger));

    // Asks the engine about each call the loop wants approved; its answer carries the ApprovalRequest to grant.
    internal async ValueTask RegisterAsync(IList<AIContent> contents, TurnContext turn, CancellationToken cancellationToken)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is ToolApprovalRequestContent { ToolCall: FunctionCallContent call } request)
            {
                await RegisterAsync(request.RequestId, call, turn, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Approving responses that do not match their request (person, turn, chat, call, arguments), or whose request was
    // rejected, used or forgotten, become rejections, so the loop never runs them. A matching rejection answers its request.
    internal IEnumerable<ChatMessage> Screen(IEnumerable<ChatMessage> messages, TurnContext turn)
    {
        // Read the caller's sequence once, whatever it is.
        var all = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        List<ChatMessage>? screened = null;
        for (var index = 0; index < all.Count; index++)
        {
            var message = all[index];
            List<AIContent>? contents = null;
            for (var i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is not ToolApprovalResponseContent response)
                {
                    continue;
                }

                if (!response.Approved)
                {
                    Reject(response, turn);
                }
                else if (!TryAccept(response, turn, out var reason))
                {
                    Log.ApprovalResponseRefused(_logger, response.RequestId, reason);
                    contents ??= [.. message.Contents];
                    contents[i] = new ToolApprovalResponseContent(response.RequestId, false, response.ToolCall) { Reason = reason };
                }
            }

            if (contents is not null)
            {
                screened ??= [.. all.Take(index)];
                var copy = message.Clone();
                copy.Contents = contents;
                screened.Add(copy);
            }
            else
            {
                screened?.Add(message);
            }
        }

        return screened ?? all;
    }

    // The gate saw the engine use up an approval for this call of this turn: its request is answered.
    internal void MarkUsed(TurnContext turn, string toolCallId)
    {
        foreach (var (_, entry) in _requests)
        {
            if (string.Equals(entry.Request.ToolCallId, toolCallId, StringComparison.Ordinal)
                && string.Equals(entry.Request.TurnId, turn.TurnId, StringComparison.Ordinal)
                && string.Equals(entry.Request.ProfileKey, turn.Profile.Key, StringComparison.Ordinal))
            {
                entry.MarkUsed();
            }
        }
    }

    private async ValueTask RegisterAsync(string requestId, FunctionCallContent call, TurnContext turn, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var (id, stale) in _requests)
        {
            if (stale.IsForgotten(now))
            {
                _requests.TryRemove(new KeyValuePair<string, Entry>(id, stale));
            }
        }

        var decision = await _policy.AuthorizeToolCallAsync(call.Name, call.CallId, ArgumentsDigest.Compute(call.Arguments), cancellationToken).ConfigureAwait(false);
        if (decision.Approval is not { } approval)
        {
            return;
        }

        _requests.AddOrUpdate(
            requestId,
            static (_, fresh) => fresh,
            static (_, existing, fresh) => existing.IsAnotherPersonsLiveRequest(fresh.Request.ProfileKey, fresh.RegisteredAt) ? existing : fresh,
            new Entry(approval, turn.Sender.ChatId, call.Name, now));
    }

    private bool TryAccept(ToolApprovalResponseContent response, TurnContext turn, out string reason)
    {
        if (!TryMatch(response, turn, out var entry, out reason))
        {
            return false;
        }

        switch (entry.State)
        {
            case State.Used:
                reason = "This approval request was already used: its call ran once.";
                return false;
            case State.Rejected:
                reason = "This approval request was answered with a rejection.";
                return false;
            default:
                return true; // whether it may run is the engine's to say, when the call is authorised
        }
    }

    private void Reject(ToolApprovalResponseContent response, TurnContext turn)
    {
        if (TryMatch(response, turn, out var entry, out _))
        {
            entry.Move(State.Open, State.Rejected);
            entry.Move(State.Granted, State.Rejected);
        }
    }

    // A response belongs to its request only from the profile, turn and chat that asked, for the same call and arguments.
    private bool TryMatch(ToolApprovalResponseContent response, TurnContext turn, out Entry entry, out string reason)
    {
        if (!_requests.TryGetValue(response.RequestId, out entry!) || entry.IsForgotten(_time.GetUtcNow()))
        {
            reason = "No open approval request matches this response.";
            return false;
        }

        var request = entry.Request;
        if (!string.Equals(request.ProfileKey, turn.Profile.Key, StringComparison.Ordinal)
            || !string.Equals(request.TurnId, turn.TurnId, StringComparison.Ordinal)
            || !string.Equals(entry.ChatId, turn.Sender.ChatId, StringComparison.Ordinal)
            || response.ToolCall is not FunctionCallContent call
            || !string.Equals(call.CallId, request.ToolCallId, StringComparison.Ordinal)
            || !string.Equals(call.Name, entry.ToolName, StringComparison.Ordinal)
            || !string.Equals(ArgumentsDigest.Compute(call.Arguments), request.ArgumentsDigest, StringComparison.Ordinal))
        {
            reason = "The approval was asked for a different person, turn, chat, call or arguments.";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private sealed class Entry(ApprovalRequest request, string? chatId, string toolName, DateTimeOffset registeredAt)
    {
        private int _state;

        public ApprovalRequest Request { get; } = request;

        public string? ChatId { get; } = chatId;

        public string ToolName { get; } = toolName;

        public DateTimeOffset RegisteredAt { get; } = registeredAt;

        public State State => (State)Volatile.Read(ref _state);

        public void Move(State from, State to) => Interlocked.CompareExchange(ref _state, (int)to, (int)from);

        public void MarkUsed() => Volatile.Write(ref _state, (int)State.Used);

        // Request ids come from call ids, which the model picks: another person's request that can still be granted or
        // run is never replaced, so an approver never approves one person's call under another's id.
        public bool IsAnotherPersonsLiveRequest(string profileKey, DateTimeOffset now) =>
            !string.Equals(Request.ProfileKey, profileKey, StringComparison.Ordinal)
            && State switch
            {
                State.Open => Request.ExpiresAt > now,
                State.Granted => !IsForgotten(now),
                _ => false,
            };

        // Kept while a grant of it may still be in force, which is at most one approval lifetime past the request's own
        // expiry (the lifetime is at most ExpiresAt - RegisteredAt: the engine asked after the adapter read the clock).
        public bool IsForgotten(DateTimeOffset now) => now > Request.ExpiresAt + (Request.ExpiresAt - RegisteredAt);
    }
}
