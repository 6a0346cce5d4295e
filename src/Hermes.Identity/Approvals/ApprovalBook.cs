using System.Globalization;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.State;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Approvals;

// The approval requests in the state store: created by the engine when a call bound to an id and a digest gets
// RequireApproval, answered through Approvals, and used up by the requester's next call with one compare-and-swap
// (approved -> used) before the tool runs. Every change is a conditional commit on the record's version, so two
// processes, a replay or a second approval can never make a call run twice; a crash before the commit leaves the
// approval unused (the call runs later, once), a crash after it leaves it used (the call does not run).
internal sealed class ApprovalBook
{
    public const string MissingStore =
        "Approvals given later need the identity state store: call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.";

    // A flood of calls (a model in a loop) must not flood the approvers: beyond this many unanswered requests of one
    // profile, a call that needs an approval is denied until some are answered or expire.
    public const int MaxPendingPerProfile = 20;

    private const int Attempts = 8;

    private readonly IIdentityStateStore? _store;
    private readonly IApprovalNotifier[] _notifiers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _requestLifetime;
    private readonly TimeSpan _approvalLifetime;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;

    public ApprovalBook(IIdentityStateStore? store, IEnumerable<IApprovalNotifier> notifiers, TimeProvider time, PolicyOptions options, HermesMetrics metrics, ILogger logger)
    {
        _store = store;
        _notifiers = [.. notifiers];
        _time = time;
        _requestLifetime = options.ApprovalRequestLifetime;
        _approvalLifetime = options.ApprovalLifetime;
        _metrics = metrics;
        _logger = logger;
    }

    public TimeProvider Time => _time;

    public IIdentityStateStore Store => _store ?? throw new InvalidOperationException(MissingStore);

    // The requester's call that the policy sends for approval: its request's answer decides it. Pending: ask (once) and
    // wait; approved: use it up and allow; denied, used or expired: deny, saying which.
    public async ValueTask<PolicyDecision> ResolveAsync(AgentProfile subject, SenderEnvelope sender, string action, string? resource, string toolCallId, string digest, PolicyDecision decision, IdentitySnapshot snapshot, CancellationToken cancellationToken)
    {
        var store = Store;
        var conversation = Conversation.Of(sender);
        var callKey = ApprovalRecord.CallKey(subject.Key, conversation, action, resource, toolCallId, digest);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var now = _time.GetUtcNow();
            var (binding, stored, request) = await FindAsync(store, callKey, now, cancellationToken).ConfigureAwait(false);
            if (request is null)
            {
                if (await CountPendingAsync(store, subject.Key, now, cancellationToken).ConfigureAwait(false) >= MaxPendingPerProfile)
                {
                    _metrics.Approvals.Add(1, new KeyValuePair<string, object?>("outcome", "refused"), new KeyValuePair<string, object?>("reason", "too_many_pending"));
                    return PolicyDecision.Deny(
                        $"{subject.Key} already has {MaxPendingPerProfile} approval requests waiting for an answer, the most one person may have; this call is refused until some are answered or expire.",
                        decision.Revision,
                        decision.RuleIds);
                }

                var fresh = new ApprovalRecord(ShortCode.New(), subject.Key, conversation, toolCallId, digest, action, resource, now, now + _requestLifetime, ApprovalState.Pending);
                StateChange[] changes =
                [
                    StateChange.Put(ApprovalRecord.Kind, fresh.Id, fresh.ToJson(), 0, fresh.RecordExpiresAt),
                    StateChange.Put(ApprovalRecord.CallKind, callKey, "{\"id\":\"" + fresh.Id + "\"}", binding?.Version ?? 0, fresh.RecordExpiresAt),
                ];
                if (!await store.TryCommitAsync(changes, cancellationToken).ConfigureAwait(false))
                {
                    continue; // the code was taken, or the same call was asked at the same moment: read again
                }

                Log.ApprovalRequested(_logger, fresh.Id, fresh.Profile, action, resource, toolCallId, fresh.ExpiresAt);
                _metrics.Approvals.Add(1, new KeyValuePair<string, object?>("outcome", "requested"));
                var view = fresh.ToView(now);
                await NotifyAsync(view, subject.Key, snapshot, cancellationToken).ConfigureAwait(false);
                return Waiting(decision, view);
            }

            switch (request.StateAt(now))
            {
                case ApprovalState.Pending:
                    return Waiting(decision, request.ToView(now));
                case ApprovalState.Approved:
                    var used = request with { State = ApprovalState.Used };
                    if (!await store.TryCommitAsync([StateChange.Put(ApprovalRecord.Kind, request.Id, used.ToJson(), stored!.Version, used.RecordExpiresAt)], cancellationToken).ConfigureAwait(false))
                    {
                        continue; // used, or denied, elsewhere at the same moment: read what happened
                    }

                    Log.ApprovalUsed(_logger, request.Id, request.Profile, toolCallId);
                    _metrics.Approvals.Add(1, new KeyValuePair<string, object?>("outcome", "used"));
                    return new PolicyDecision(
                        PolicyEffect.Allow,
                        $"{request.AnsweredBy} approved this call (approval {request.Id}). {decision.Reason}",
                        [.. decision.RuleIds, "approval:" + request.Id],
                        decision.Revision);
                default:
                    return PolicyDecision.Deny(Refusal(request, now), decision.Revision, [.. decision.RuleIds, "approval:" + request.Id]);
            }
        }

        throw new StateStoreException($"The approval of call {toolCallId} kept changing under {Attempts} attempts to read it; try the call again.");
    }

    // The request bound to this call, as it stands, without changing it (for the AI adapter's view of a conversation).
    public async ValueTask<ApprovalRequest?> FindAsync(AgentProfile subject, SenderEnvelope sender, string action, string? resource, string toolCallId, string digest, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var callKey = ApprovalRecord.CallKey(subject.Key, Conversation.Of(sender), action, resource, toolCallId, digest);
        var (_, _, request) = await FindAsync(Store, callKey, now, cancellationToken).ConfigureAwait(false);
        return request?.ToView(now);
    }

    public async ValueTask<(StateRecord Stored, ApprovalRecord Request)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var stored = await Store.GetAsync(ApprovalRecord.Kind, id, cancellationToken).ConfigureAwait(false);
        return stored is null || IsGone(stored, _time.GetUtcNow()) ? null : (stored, ApprovalRecord.Parse(stored));
    }

    public async ValueTask<IReadOnlyList<ApprovalRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var all = await Store.ListAsync(ApprovalRecord.Kind, null, cancellationToken).ConfigureAwait(false);
        var requests = new List<ApprovalRecord>(all.Count);
        foreach (var stored in all)
        {
            if (!IsGone(stored, now))
            {
                requests.Add(ApprovalRecord.Parse(stored));
            }
        }

        return requests;
    }

    public ValueTask<bool> TryReplaceAsync(StateRecord stored, ApprovalRecord next, CancellationToken cancellationToken) =>
        Store.TryCommitAsync([StateChange.Put(ApprovalRecord.Kind, next.Id, next.ToJson(), stored.Version, next.RecordExpiresAt)], cancellationToken);

    public ApprovalRecord Approved(ApprovalRecord request, string approver, DateTimeOffset now) =>
        request with { State = ApprovalState.Approved, AnsweredBy = approver, AnsweredAt = now, UsableUntil = now + _approvalLifetime };

    public static string Refusal(ApprovalRecord request, DateTimeOffset now) => request.StateAt(now) switch
    {
        ApprovalState.Denied => $"{request.AnsweredBy} denied this call (approval {request.Id}), so it does not run. Running it needs a new call and a new approval.",
        ApprovalState.Used => $"This call already ran once on approval {request.Id}: an approval runs its call once, however often it is replayed or approved. Another run needs a new call and a new approval.",
        ApprovalState.Expired when request.State == ApprovalState.Approved =>
            $"Approval {request.Id} was given by {request.AnsweredBy} but not used before {Stamp(request.UsableUntil ?? request.ExpiresAt)}, so the call did not run. Ask for it again.",
        ApprovalState.Expired => $"Approval request {request.Id} expired at {Stamp(request.ExpiresAt)} without an answer, so the call did not run. Ask for it again.",
        ApprovalState.Approved => $"Approval {request.Id} was already given by {request.AnsweredBy}; the call runs once when {request.Profile}'s conversation asks for it again.",
        _ => $"Approval request {request.Id} waits for an answer until {Stamp(request.ExpiresAt)}.",
    };

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("u", CultureInfo.InvariantCulture);

    // The profiles of this configuration whose roles hold approval.grant outright, the requester excepted: the people of
    // identities.yaml and the paired ones, not the identity directory's (a scan of a million people per request; a
    // directory person whose role holds approval.grant may still approve).
    public static IReadOnlyList<AgentProfile> Approvers(IdentitySnapshot snapshot, string requester)
    {
        var approvers = new List<AgentProfile>();
        foreach (var profile in snapshot.ConfiguredProfiles.Values)
        {
            if (!string.Equals(profile.Key, requester, StringComparison.Ordinal)
                && snapshot.RoleTable.TryGetRules(profile, out var rules, out _)
                && rules.Explain(PolicyActions.ApprovalGrant) is { IsAllowed: true, NeedsApproval: false })
            {
                approvers.Add(profile);
            }
        }

        approvers.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return approvers;
    }

    private static PolicyDecision Waiting(PolicyDecision decision, ApprovalRequest view) =>
        new(PolicyEffect.RequireApproval, $"{decision.Reason} Approval request {view.Id} waits for an answer until {Stamp(view.ExpiresAt)}.", [.. decision.RuleIds, "approval:" + view.Id], decision.Revision)
        {
            Errors = decision.Errors,
            Approval = view,
        };

    private static async ValueTask<int> CountPendingAsync(IIdentityStateStore store, string profile, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var stored in await store.ListAsync(ApprovalRecord.Kind, null, cancellationToken).ConfigureAwait(false))
        {
            if (!IsGone(stored, now) && ApprovalRecord.Parse(stored) is { } request
                && string.Equals(request.Profile, profile, StringComparison.Ordinal) && request.StateAt(now) == ApprovalState.Pending)
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsGone(StateRecord stored, DateTimeOffset now) => stored.ExpiresAt is { } expires && expires <= now;

    private static async ValueTask<(StateRecord? Binding, StateRecord? Stored, ApprovalRecord? Request)> FindAsync(IIdentityStateStore store, string callKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var binding = await store.GetAsync(ApprovalRecord.CallKind, callKey, cancellationToken).ConfigureAwait(false);
        if (binding is null || IsGone(binding, now) || BoundId(binding) is not { } id)
        {
            return (binding, null, null);
        }

        var stored = await store.GetAsync(ApprovalRecord.Kind, id, cancellationToken).ConfigureAwait(false);
        if (stored is null || IsGone(stored, now))
        {
            return (binding, null, null);
        }

        var request = ApprovalRecord.Parse(stored);
        return string.Equals(request.Key, callKey, StringComparison.Ordinal) ? (binding, stored, request) : (binding, null, null);
    }

    private static string? BoundId(StateRecord binding)
    {
        // {"id":"XXXXXXXX"}: written by this class only.
        const string prefix = "{\"id\":\"";
        var data = binding.Data;
        return data.StartsWith(prefix, StringComparison.Ordinal) && data.Length == prefix.Length + ShortCode.Length + 2
            ? ShortCode.Normalize(data.Substring(prefix.Length, ShortCode.Length))
            : null;
    }

    private async ValueTask NotifyAsync(ApprovalRequest request, string requester, IdentitySnapshot snapshot, CancellationToken cancellationToken)
    {
        if (_notifiers.Length == 0)
        {
            return;
        }

        var approvers = Approvers(snapshot, requester);
        foreach (var notifier in _notifiers)
        {
            try
            {
                await notifier.NotifyAsync(request, approvers, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.ApprovalNotifierFailed(_logger, ex, notifier.GetType().Name, request.Id);
            }
        }
    }
}
