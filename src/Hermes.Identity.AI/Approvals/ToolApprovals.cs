using System.Collections.Concurrent;
using Hermes.Identity.AI.Tools;
using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Approvals;

/// <summary>
/// Approvals for tool calls the policy sends for approval. The adapter records each
/// <see cref="ToolApprovalRequestContent"/> it hands the host, bound to the requesting profile, the chat,
/// the tool call id and a SHA-256 of the arguments. A person holding <c>approval.grant</c> approves it with
/// <see cref="ApproveAsync"/> in their own turn; only then does an approving <see cref="ToolApprovalResponseContent"/>
/// sent back in the requester's conversation let that exact call run, once. Any other approval response is
/// turned into a rejection before the function-invocation loop sees it.
/// </summary>
/// <remarks>Get the instance from the pipeline: <c>chatClient.GetService&lt;ToolApprovals&gt;()</c>, or register one in DI first.</remarks>
public sealed class ToolApprovals
{
    /// <summary>How long an approval request stays open.</summary>
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, PendingApproval> _pending = new(StringComparer.Ordinal);
    private readonly PolicyEngine _policy;
    private readonly ICurrentProfile _current;
    private readonly TimeProvider _time;

    /// <summary>Creates the approvals ledger.</summary>
    public ToolApprovals(PolicyEngine policy, ICurrentProfile current, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(time);
        _policy = policy;
        _current = current;
        _time = time;
    }

    /// <summary>The open approval requests: request id, requesting profile and tool name. For a host's "approve?" prompt.</summary>
    public IReadOnlyList<(string RequestId, string ProfileKey, string ToolName)> Pending =>
        [.. _pending.Select(p => (p.Key, p.Value.ProfileKey, p.Value.ToolName))];

    /// <summary>
    /// Approves request <paramref name="requestId"/> as the sender of the turn in progress. The policy decides
    /// whether they may (<c>approval.grant</c> on the tool's name); the decision is returned either way.
    /// </summary>
    public async ValueTask<PolicyDecision> ApproveAsync(string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (!_pending.TryGetValue(requestId, out var pending) || pending.ExpiresAt < _time.GetUtcNow())
        {
            return PolicyDecision.Deny("No open approval request has this id; it may have expired or been used.");
        }

        var decision = await _policy.AuthorizeAsync(PolicyActions.ApprovalGrant, pending.ToolName, cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            pending.GrantedBy = _current.Turn.Profile.Key;
        }

        return decision;
    }

    internal void Register(ToolApprovalRequestContent request, TurnContext turn)
    {
        if (request.ToolCall is not FunctionCallContent call)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var stale in _pending.Where(p => p.Value.ExpiresAt < now))
        {
            _pending.TryRemove(stale.Key, out _);
        }

        _pending[request.RequestId] = new PendingApproval(
            turn.Profile.Key, turn.Sender.ChatId, call.CallId, call.Name, ArgumentsDigest.Compute(call.Arguments), now + RequestLifetime);
    }

    // An approving response is accepted only for the profile and chat that asked, for the same call and arguments,
    // and only after someone the policy allows has approved it.
    internal bool TryAccept(ToolApprovalResponseContent response, TurnContext turn, out string reason)
    {
        if (!_pending.TryGetValue(response.RequestId, out var pending) || pending.ExpiresAt < _time.GetUtcNow())
        {
            reason = "No open approval request matches this response.";
            return false;
        }

        if (pending.GrantedBy is null)
        {
            reason = "Nobody allowed to grant approvals has approved this call.";
            return false;
        }

        if (!string.Equals(pending.ProfileKey, turn.Profile.Key, StringComparison.Ordinal)
            || !string.Equals(pending.ChatId, turn.Sender.ChatId, StringComparison.Ordinal)
            || response.ToolCall is not FunctionCallContent call
            || !string.Equals(call.CallId, pending.CallId, StringComparison.Ordinal)
            || !string.Equals(call.Name, pending.ToolName, StringComparison.Ordinal)
            || !string.Equals(ArgumentsDigest.Compute(call.Arguments), pending.ArgumentsDigest, StringComparison.Ordinal))
        {
            reason = "The approval was given for a different person, chat, call or arguments.";
            return false;
        }

        pending.Accepted = true;
        reason = string.Empty;
        return true;
    }

    // One run per approval.
    internal bool TryConsume(TurnContext turn, string callId, string toolName, string argumentsDigest)
    {
        foreach (var (id, pending) in _pending)
        {
            if (pending.Accepted
                && string.Equals(pending.CallId, callId, StringComparison.Ordinal)
                && string.Equals(pending.ToolName, toolName, StringComparison.Ordinal)
                && string.Equals(pending.ProfileKey, turn.Profile.Key, StringComparison.Ordinal)
                && string.Equals(pending.ArgumentsDigest, argumentsDigest, StringComparison.Ordinal))
            {
                return _pending.TryRemove(id, out _);
            }
        }

        return false;
    }

    private sealed class PendingApproval(string profileKey, string? chatId, string callId, string toolName, string argumentsDigest, DateTimeOffset expiresAt)
    {
        public string ProfileKey { get; } = profileKey;

        public string? ChatId { get; } = chatId;

        public string CallId { get; } = callId;

        public string ToolName { get; } = toolName;

        public string ArgumentsDigest { get; } = argumentsDigest;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public string? GrantedBy { get; set; }

        public bool Accepted { get; set; }
    }
}
