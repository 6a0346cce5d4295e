using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Approvals;

/// <summary>
/// Answers approval requests in a message of the approver's own: a tool call that got
/// <see cref="PolicyEffect.RequireApproval"/> is stored as an <see cref="ApprovalRequest"/> (its code is in
/// <see cref="PolicyDecision.Approval"/>, and <see cref="IApprovalNotifier"/>s are told whom to ask); a holder of
/// <c>approval.grant</c> approves or denies it here, in another chat, after a restart, from another process sharing the
/// store. The approved call runs once, when the requester's conversation asks for that very call again (same tool,
/// call id and arguments digest): the engine then uses the approval up before the tool runs.
/// </summary>
/// <remarks>
/// A singleton from the service provider (<c>services.GetRequiredService&lt;Approvals&gt;()</c>). Each method acts as
/// the profile of the turn in progress on the calling flow, checked against the configuration in force: an approver
/// demoted before approving cannot approve. Needs the state store (<c>AddSqliteState()</c>); without one each method
/// throws <see cref="InvalidOperationException"/>. A store failure is thrown as <see cref="State.StateStoreException"/>.
/// </remarks>
public sealed class Approvals
{
    private readonly ApprovalBook _book;
    private readonly PolicyEngine _policy;
    private readonly ICurrentProfile _current;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;

    internal Approvals(ApprovalBook book, PolicyEngine policy, ICurrentProfile current, IIdentitySnapshotProvider snapshots, HermesMetrics metrics, ILogger logger)
    {
        _book = book;
        _policy = policy;
        _current = current;
        _snapshots = snapshots;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>
    /// Approves request <paramref name="id"/> (its 8-character code, any case) as the profile of the turn in progress.
    /// Allowed when that profile holds <c>approval.grant</c> now, is not the requester, and the request is still pending
    /// and not expired. Of two approvers at the same moment, in one process or two, one wins; the other is told it was
    /// already approved. The call then runs once within <see cref="PolicyOptions.ApprovalLifetime"/>.
    /// </summary>
    /// <returns>The decision: allowed means the approval is stored; a deny says why (no such request, not a holder, own request, already answered, used or expired).</returns>
    public ValueTask<PolicyDecision> ApproveAsync(string id, CancellationToken cancellationToken = default) => AnswerAsync(id, approve: true, cancellationToken);

    /// <summary>
    /// Denies request <paramref name="id"/> as the profile of the turn in progress, which must hold <c>approval.grant</c>:
    /// a pending or approved (not yet used) request becomes denied, and its call never runs on it. The requester's
    /// conversation is told so the next time it asks for the call.
    /// </summary>
    /// <returns>The decision: allowed means the denial is stored.</returns>
    public ValueTask<PolicyDecision> DenyAsync(string id, CancellationToken cancellationToken = default) => AnswerAsync(id, approve: false, cancellationToken);

    /// <summary>
    /// Request <paramref name="id"/> as it stands, for the requester or a holder of <c>approval.grant</c> in the turn in
    /// progress; <see langword="null"/> when there is no such request (or it is more than a day past its expiry), or
    /// the caller may not see it.
    /// </summary>
    public async ValueTask<ApprovalRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var turn = Turn();
        if (turn is null || ShortCode.Normalize(id) is not { } code || await _book.GetAsync(code, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return null;
        }

        var now = _book.Time.GetUtcNow();
        return string.Equals(found.Request.Profile, turn.Profile.Key, StringComparison.Ordinal) || await MayGrantQuietlyAsync(cancellationToken).ConfigureAwait(false)
            ? found.Request.ToView(now)
            : null;
    }

    /// <summary>
    /// The requests waiting for an answer (pending and not expired), oldest first: every profile's for a holder of
    /// <c>approval.grant</c>, the caller's own for anyone else, none outside a turn.
    /// </summary>
    public async ValueTask<IReadOnlyList<ApprovalRequest>> ListPendingAsync(CancellationToken cancellationToken = default)
    {
        if (Turn() is not { } turn)
        {
            return [];
        }

        var all = await MayGrantQuietlyAsync(cancellationToken).ConfigureAwait(false);
        var now = _book.Time.GetUtcNow();
        var pending = new List<ApprovalRequest>();
        foreach (var request in await _book.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (request.StateAt(now) == ApprovalState.Pending && (all || string.Equals(request.Profile, turn.Profile.Key, StringComparison.Ordinal)))
            {
                pending.Add(request.ToView(now));
            }
        }

        pending.Sort(static (a, b) => a.RequestedAt != b.RequestedAt ? a.RequestedAt.CompareTo(b.RequestedAt) : string.CompareOrdinal(a.Id, b.Id));
        return pending;
    }

    /// <summary>
    /// The request for the call <paramref name="toolCallId"/> to <paramref name="toolName"/> with arguments
    /// <paramref name="argumentsDigest"/>, asked by the profile of the turn in progress in this conversation, as it
    /// stands; <see langword="null"/> when there is none or outside a turn. Reads only: the call runs through
    /// <see cref="PolicyEngine.AuthorizeToolCallAsync"/>, which uses an approval up.
    /// </summary>
    public async ValueTask<ApprovalRequest?> FindForCallAsync(string toolName, string toolCallId, string argumentsDigest, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        ArgumentException.ThrowIfNullOrEmpty(toolCallId);
        ArgumentException.ThrowIfNullOrEmpty(argumentsDigest);
        if (Turn() is not { } turn)
        {
            return null;
        }

        var table = _snapshots.Current.RoleTable;
        var action = table.TryGetTool(toolName, out var tool) ? tool.Action : Configuration.Roles.RoleTable.UnlistedToolAction;
        return await _book.FindAsync(turn.Profile, turn.Sender, action, toolName, toolCallId, argumentsDigest, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PolicyDecision> AnswerAsync(string id, bool approve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var turn = Turn();
        var approver = turn?.Profile.Key ?? "(nobody)";
        var code = ShortCode.Normalize(id);
        var shown = code ?? "(not a code)";

        // Against the configuration in force, recorded like any decision: a demoted approver is refused here.
        var decision = await _policy.AuthorizeAsync(PolicyActions.ApprovalGrant, "approval:" + shown, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            return Refuse(approver, shown, decision.Effect == PolicyEffect.Deny ? decision.Reason : $"An approval cannot itself wait for an approval: {decision.Reason}", decision.Revision, "not_a_holder");
        }

        if (code is null || await _book.GetAsync(code, cancellationToken).ConfigureAwait(false) is not { } found)
        {
            return Refuse(approver, shown, $"No approval request has the code '{id}'. A code is 8 characters of {ShortCode.Alphabet}; it may also have expired more than a day ago.", decision.Revision, "unknown");
        }

        for (var attempt = 0; ; attempt++)
        {
            var (stored, request) = found;
            if (string.Equals(request.Profile, turn!.Profile.Key, StringComparison.Ordinal) && approve)
            {
                return Refuse(approver, code, $"Approval {code} is {approver}'s own request: nobody approves their own call. Ask another holder of {PolicyActions.ApprovalGrant}.", decision.Revision, "own_request");
            }

            var now = _book.Time.GetUtcNow();
            var state = request.StateAt(now);
            var open = state == ApprovalState.Pending || (!approve && state == ApprovalState.Approved);
            if (!open)
            {
                return Refuse(approver, code, ApprovalBook.Refusal(request, now), decision.Revision, state == ApprovalState.Expired ? "expired" : "answered");
            }

            var next = approve ? _book.Approved(request, approver, now) : request with { State = ApprovalState.Denied, AnsweredBy = approver, AnsweredAt = now };
            if (await _book.TryReplaceAsync(stored, next, cancellationToken).ConfigureAwait(false))
            {
                var answer = approve ? "approved" : "denied";
                Log.ApprovalAnswered(_logger, approver, answer, code);
                _metrics.Approvals.Add(1, new KeyValuePair<string, object?>("outcome", answer));
                var reason = approve
                    ? $"{approver} approved {request.Action} ({request.Resource}) for {request.Profile} (approval {code}); the call runs once when {request.Profile}'s conversation asks for it again, before {ApprovalBook.Stamp(next.UsableUntil!.Value)}."
                    : $"{approver} denied {request.Action} ({request.Resource}) for {request.Profile} (approval {code}); the call does not run.";
                return new PolicyDecision(PolicyEffect.Allow, reason, [.. decision.RuleIds, "approval:" + code], decision.Revision) { Approval = next.ToView(now) };
            }

            // Answered or used elsewhere at the same moment: read what happened and say so.
            if (attempt >= 8 || await _book.GetAsync(code, cancellationToken).ConfigureAwait(false) is not { } again)
            {
                return Refuse(approver, code, $"Approval {code} changed while it was being answered; read it again with GetAsync.", decision.Revision, "conflict");
            }

            found = again;
        }
    }

    private PolicyDecision Refuse(string approver, string id, string reason, string? revision, string outcome)
    {
        Log.ApprovalAnswerRefused(_logger, approver, id, reason);
        _metrics.Approvals.Add(1, new KeyValuePair<string, object?>("outcome", "refused"), new KeyValuePair<string, object?>("reason", outcome));
        return PolicyDecision.Deny(reason, revision);
    }

    private async ValueTask<bool> MayGrantQuietlyAsync(CancellationToken cancellationToken) =>
        (await _policy.PreviewAsync(PolicyActions.ApprovalGrant, null, cancellationToken).ConfigureAwait(false)).IsAllowed;

    private TurnContext? Turn()
    {
        try
        {
            return _current.IsInTurn ? _current.Turn : null;
        }
        catch (NoActiveTurnException)
        {
            return null;
        }
    }
}
