using System.Collections.Concurrent;
using Hermes.Identity.AI.Tools;
using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;

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
/// Get the instance from the pipeline: <c>chatClient.GetService&lt;ToolApprovals&gt;()</c>, or register one in DI first.
/// The requester's turn stays open while the approval is sought: the engine binds an approval to the turn it was asked in.
/// </remarks>
public sealed class ToolApprovals
{
    /// <summary>How long the adapter remembers an approval request; the engine's own <see cref="PolicyOptions.ApprovalLifetime"/> bounds the grant.</summary>
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, PendingApproval> _pending = new(StringComparer.Ordinal);
    private readonly PolicyEngine _policy;
    private readonly TimeProvider _time;

    /// <summary>Creates the link between approval messages and the policy engine.</summary>
    public ToolApprovals(PolicyEngine policy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        _policy = policy;
        _time = time;
    }

    /// <summary>The open approval requests: request id, requesting profile and tool name. For a host's "approve?" prompt.</summary>
    public IReadOnlyList<(string RequestId, string ProfileKey, string ToolName)> Pending =>
        [.. _pending.Where(p => p.Value.ExpiresAt >= _time.GetUtcNow()).Select(p => (p.Key, p.Value.Request.ProfileKey, p.Value.ToolName))];

    /// <summary>
    /// Approves request <paramref name="requestId"/> as the sender of the turn in progress, through
    /// <see cref="PolicyEngine.GrantApprovalAsync"/>: the policy decides whether they may (<c>approval.grant</c>);
    /// the decision is returned either way.
    /// </summary>
    public async ValueTask<PolicyDecision> ApproveAsync(string requestId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        if (!_pending.TryGetValue(requestId, out var pending) || pending.ExpiresAt < _time.GetUtcNow())
        {
            return PolicyDecision.Deny("No open approval request has this id; it may have expired or been used.");
        }

        return await _policy.GrantApprovalAsync(pending.Request, cancellationToken).ConfigureAwait(false);
    }

    // Asks the engine about the exact call the loop wants approved; its answer carries the ApprovalRequest to grant.
    internal async ValueTask RegisterAsync(ToolApprovalRequestContent request, TurnContext turn, CancellationToken cancellationToken)
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

        var decision = await _policy.AuthorizeToolCallAsync(call.Name, call.CallId, ArgumentsDigest.Compute(call.Arguments), cancellationToken).ConfigureAwait(false);
        if (decision.Approval is { } approval)
        {
            _pending[request.RequestId] = new PendingApproval(approval, turn.Sender.ChatId, call.Name, now + RequestLifetime);
        }
    }

    // An approving response goes on to the loop only for the profile, turn and chat that asked, for the same call and
    // arguments. Whether it may then run is the engine's to say, when the call is authorised.
    internal bool TryAccept(ToolApprovalResponseContent response, TurnContext turn, out string reason)
    {
        if (!_pending.TryGetValue(response.RequestId, out var pending) || pending.ExpiresAt < _time.GetUtcNow())
        {
            reason = "No open approval request matches this response.";
            return false;
        }

        var request = pending.Request;
        if (!string.Equals(request.ProfileKey, turn.Profile.Key, StringComparison.Ordinal)
            || !string.Equals(request.TurnId, turn.TurnId, StringComparison.Ordinal)
            || !string.Equals(pending.ChatId, turn.Sender.ChatId, StringComparison.Ordinal)
            || response.ToolCall is not FunctionCallContent call
            || !string.Equals(call.CallId, request.ToolCallId, StringComparison.Ordinal)
            || !string.Equals(call.Name, pending.ToolName, StringComparison.Ordinal)
            || !string.Equals(ArgumentsDigest.Compute(call.Arguments), request.ArgumentsDigest, StringComparison.Ordinal))
        {
            reason = "The approval was asked for a different person, turn, chat, call or arguments.";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private sealed record PendingApproval(ApprovalRequest Request, string? ChatId, string ToolName, DateTimeOffset ExpiresAt);
}
