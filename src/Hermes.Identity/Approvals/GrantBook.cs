using System.Collections.Frozen;
using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Internal;
using Hermes.Identity.State;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Approvals;

// The grants in the state store, and an in-memory index of the live ones by profile, so that a decision the roles do
// not allow costs one dictionary lookup when the subject holds no grant. The index is rebuilt when the store's
// sequence has moved, checked at most once per RefreshInterval (grants issued in this process apply at once; one
// issued by another process sharing the store within that interval, or at once when the store's change token fires). A grant is used by compare-and-swap on its
// record, never on the index, so uses are exact across threads and processes, and a revoked grant is never used.
internal sealed class GrantBook : IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private static readonly Index Empty = new(-1, DateTimeOffset.MinValue, FrozenDictionary<string, GrantRecord[]>.Empty);

    private readonly IIdentityStateStore? _store;
    private readonly TimeProvider _time;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IDisposable? _storeChanges;
    private int _refreshing;
    private Index _index = Empty;

    public GrantBook(IIdentityStateStore? store, TimeProvider time, HermesMetrics metrics, ILogger logger)
    {
        _store = store;
        _time = time;
        _metrics = metrics;
        _logger = logger;

        // A store that hears of changes made elsewhere (a PostgreSQL NOTIFY) has the next decision read the index again.
        _storeChanges = store is null ? null : Microsoft.Extensions.Primitives.ChangeToken.OnChange(store.GetChangeToken, Forget);
    }

    public void Dispose() => _storeChanges?.Dispose();

    public TimeProvider Time => _time;

    public IIdentityStateStore Store => _store ?? throw new InvalidOperationException(
        "Grants need the identity state store: call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.");

    // Whether a decision the roles did not allow must look further: the subject holds a grant, or the index is due for
    // a look at the store. Without a store there are no grants, and this is always false.
    public bool MayCover(AgentProfile subject, TimeProvider time)
    {
        if (_store is null)
        {
            return false;
        }

        var index = Volatile.Read(ref _index);
        return index.ByProfile.ContainsKey(subject.Key) || time.GetUtcNow() - index.CheckedAt >= RefreshInterval;
    }

    // A live grant that may stand in for the roles' answer to this call, or null. Uses nothing up.
    public async ValueTask<GrantUse?> FindAsync(AgentProfile subject, string action, string? resource, bool byName, RoleRules rules, PolicyDecision first, IdentitySnapshot snapshot, List<string>? trail, CancellationToken cancellationToken)
    {
        var index = await FreshIndexAsync(cancellationToken).ConfigureAwait(false);
        if (!index.ByProfile.TryGetValue(subject.Key, out var grants) || subject.IsGuest)
        {
            trail?.Add($"Grants: {subject.Key} holds none.");
            return null;
        }

        if (Ineligible(action, resource, byName, rules, first, snapshot) is { } why)
        {
            trail?.Add($"Grants: none applies: {why}");
            return null;
        }

        var now = _time.GetUtcNow();
        foreach (var indexed in grants)
        {
            if (!ActionPattern.Matches(indexed.Pattern, action) || now >= indexed.ExpiresAt)
            {
                continue;
            }

            // The index may be a second old: the record says how many uses are left now.
            var stored = await Store.GetAsync(GrantRecord.Kind, indexed.Id, cancellationToken).ConfigureAwait(false);
            if (stored is null || GrantRecord.Parse(stored) is not { } grant || !grant.IsLive(now))
            {
                continue;
            }

            if (IssuerProblem(snapshot, grant.Issuer, action) is { } problem)
            {
                trail?.Add($"Grants: grant {grant.Id} cannot be used: {problem}.");
                continue;
            }

            var reason = $"{Capitalize(subject.Key)} may use {action}{(resource is null ? string.Empty : $" ({resource})")} by grant {grant.Id} from {grant.Issuer}: {grant.Left} of {grant.Uses} uses left, until {ApprovalBook.Stamp(grant.ExpiresAt)}.";
            trail?.Add($"Grants: {reason}");
            return new GrantUse(grant.Id, subject.Key, action, resource, PolicyDecision.Allow(reason, first.Revision, ["grant:" + grant.Id]), first);
        }

        trail?.Add($"Grants: none of {subject.Key}'s grants covers {action}.");
        return null;
    }

    // Uses one use of the grant, by compare-and-swap: exact under any number of concurrent calls. When it cannot be used
    // after all, the roles' own answer stands, saying why.
    public async ValueTask<PolicyDecision> TryUseAsync(GrantUse use, IdentitySnapshot snapshot, CancellationToken cancellationToken)
    {
        var store = Store;
        while (true)
        {
            var now = _time.GetUtcNow();
            var stored = await store.GetAsync(GrantRecord.Kind, use.Id, cancellationToken).ConfigureAwait(false);
            var grant = stored is null || stored.ExpiresAt <= now ? null : GrantRecord.Parse(stored);
            if (grant is null || !grant.IsLive(now))
            {
                Forget();
                return Fallback(use, grant is null ? "it was revoked or has expired" : grant.Left <= 0 ? "its uses are used up" : $"it expired at {ApprovalBook.Stamp(grant.ExpiresAt)}");
            }

            if (IssuerProblem(snapshot, grant.Issuer, use.Action) is { } problem)
            {
                return Fallback(use, problem);
            }

            var next = grant with { Left = grant.Left - 1 };
            if (!await store.TryCommitAsync([StateChange.Put(GrantRecord.Kind, grant.Id, next.ToJson(), stored!.Version, grant.ExpiresAt)], cancellationToken).ConfigureAwait(false))
            {
                continue; // another call used it at the same moment: read the uses left again
            }

            if (next.Left == 0)
            {
                Forget();
            }

            Log.GrantUsed(_logger, grant.Id, grant.Profile, use.Action, next.Left);
            _metrics.Grants.Add(1, new KeyValuePair<string, object?>("outcome", "used"));
            var what = use.Resource is null ? use.Action : $"{use.Action} ({use.Resource})";
            return PolicyDecision.Allow(
                $"{Capitalize(grant.Profile)} used grant {grant.Id} from {grant.Issuer} for {what}: {next.Left} of {grant.Uses} uses left, until {ApprovalBook.Stamp(grant.ExpiresAt)}.",
                use.Decision.Revision,
                use.Decision.RuleIds);
        }
    }

    public async ValueTask<GrantRecord> IssueAsync(string profile, string pattern, string issuer, int uses, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var store = Store;
        while (true)
        {
            var now = _time.GetUtcNow();
            var grant = new GrantRecord(ShortCode.New(), profile, pattern, issuer, uses, uses, now, now + lifetime);
            if (await store.TryCommitAsync([StateChange.Put(GrantRecord.Kind, grant.Id, grant.ToJson(), 0, grant.ExpiresAt)], cancellationToken).ConfigureAwait(false))
            {
                Forget();
                Log.GrantIssued(_logger, issuer, profile, pattern, uses, grant.ExpiresAt, grant.Id);
                _metrics.Grants.Add(1, new KeyValuePair<string, object?>("outcome", "issued"));
                return grant;
            }
        }
    }

    public async ValueTask<IReadOnlyList<GrantRecord>> ListLiveAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var live = new List<GrantRecord>();
        foreach (var stored in await Store.ListAsync(GrantRecord.Kind, null, cancellationToken).ConfigureAwait(false))
        {
            if (stored.ExpiresAt is not { } expires || expires > now)
            {
                var grant = GrantRecord.Parse(stored);
                if (grant.IsLive(now))
                {
                    live.Add(grant);
                }
            }
        }

        return live;
    }

    public async ValueTask<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var store = Store;
        var stored = await store.GetAsync(GrantRecord.Kind, id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return false;
        }

        await store.TryCommitAsync([StateChange.Delete(GrantRecord.Kind, id, null)], cancellationToken).ConfigureAwait(false);
        Forget();
        _metrics.Grants.Add(1, new KeyValuePair<string, object?>("outcome", "revoked"));
        return true;
    }

    // What an issuer must hold, now, for their grant to work: approval.grant, and the action itself outright.
    public static string? IssuerProblem(IdentitySnapshot snapshot, string issuer, string action)
    {
        if (!snapshot.Profiles.TryGetValue(issuer, out var profile) || !snapshot.RoleTable.TryGetRules(profile, out var rules, out _))
        {
            return $"its issuer {issuer} is no longer in the identities configuration";
        }

        if (rules.Explain(PolicyActions.ApprovalGrant) is not { IsAllowed: true, NeedsApproval: false })
        {
            return $"its issuer {issuer} no longer holds {PolicyActions.ApprovalGrant}";
        }

        return rules.Explain(action) is { IsAllowed: true, NeedsApproval: false }
            ? null
            : $"its issuer {issuer} does not hold {action} outright";
    }

    private static string? Ineligible(string action, string? resource, bool byName, RoleRules rules, PolicyDecision first, IdentitySnapshot snapshot)
    {
        if (first.Effect == PolicyEffect.RequireApproval)
        {
            return null;
        }

        var match = rules.Explain(action);
        if (match.IsDenied)
        {
            return $"an explicit deny ({string.Join(", ", match.DenyIds)}) beats any grant.";
        }

        if (match.IsAllowed)
        {
            return "the roles' deny is not for want of an allow.";
        }

        if (!byName && resource is not null && action.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal))
        {
            var expected = snapshot.RoleTable.TryGetTool(resource, out var tool) ? tool.Action : RoleTable.UnlistedToolAction;
            if (!string.Equals(expected, action, StringComparison.Ordinal))
            {
                return $"tool {resource} is {expected}, not {action}.";
            }
        }

        return null;
    }

    private static PolicyDecision Fallback(GrantUse use, string why) =>
        new(use.Original.Effect, $"{use.Original.Reason} Grant {use.Id} could not be used: {why}.", use.Original.RuleIds, use.Original.Revision) { Errors = use.Original.Errors };

    private static string Capitalize(string s) => s.Length > 0 && char.IsAsciiLetterLower(s[0]) ? char.ToUpperInvariant(s[0]) + s[1..] : s;

    // The next decision that needs the index reads the store again.
    private void Forget()
    {
        var index = Volatile.Read(ref _index);
        Volatile.Write(ref _index, index with { CheckedAt = DateTimeOffset.MinValue, Sequence = -1 });
    }

    private async ValueTask<Index> FreshIndexAsync(CancellationToken cancellationToken)
    {
        var index = Volatile.Read(ref _index);
        if (_time.GetUtcNow() - index.CheckedAt < RefreshInterval)
        {
            return index;
        }

        // One refresh at a time; a decision meanwhile uses the index it finds (at most one interval old).
        if (Interlocked.Exchange(ref _refreshing, 1) != 0)
        {
            return index;
        }

        try
        {
            index = Volatile.Read(ref _index);
            var now = _time.GetUtcNow();
            if (now - index.CheckedAt < RefreshInterval)
            {
                return index;
            }

            var store = Store;
            var sequence = await store.GetSequenceAsync(cancellationToken).ConfigureAwait(false);
            if (sequence == index.Sequence)
            {
                index = index with { CheckedAt = now };
            }
            else
            {
                var byProfile = new Dictionary<string, List<GrantRecord>>(StringComparer.Ordinal);
                foreach (var grant in await ListLiveAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (!byProfile.TryGetValue(grant.Profile, out var list))
                    {
                        byProfile[grant.Profile] = list = [];
                    }

                    list.Add(grant);
                }

                index = new Index(
                    sequence,
                    now,
                    byProfile.ToFrozenDictionary(p => p.Key, p => p.Value.OrderBy(g => g.ExpiresAt).ToArray(), StringComparer.Ordinal));
            }

            Volatile.Write(ref _index, index);
            return index;
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private sealed record Index(long Sequence, DateTimeOffset CheckedAt, FrozenDictionary<string, GrantRecord[]> ByProfile);
}
