using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.State;
using Hermes.Identity.Turns;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Delegations;

/// <summary>
/// Creates, lists and revokes delegations: a person, in their own turn, lets a job or a sub-agent act for them later,
/// with at most their rights, optionally narrowed to some actions and limited in time. A turn begins from a delegation
/// with <see cref="ITurnScopeFactory.RunDelegatedTurnAsync"/>. Delegations live in the state store
/// (<see cref="IIdentityStateStore"/>, <c>AddSqliteState()</c>), so they survive restarts.
/// </summary>
/// <remarks>
/// Every method acts for the profile of the turn in progress; none takes a profile key, so no caller (a host, a tool
/// call, a model) can make a delegation for someone else. Registered as a singleton by <c>AddHermesIsolation</c>.
/// </remarks>
public sealed class DelegationRegistry
{
    /// <summary>The most delegations one person may have that are neither expired nor revoked.</summary>
    internal const int MaxLivePerProfile = 100;

    /// <summary>The most levels of sub-agents: a delegation created in a delegated turn is one level below it.</summary>
    internal const int MaxDepth = 8;

    /// <summary>The longest job name, in characters.</summary>
    internal const int MaxJobLength = 64;

    // A revoked record is kept this long (to say "revoked" rather than "no such delegation"), then a store may drop it.
    private static readonly TimeSpan RevokedRetention = TimeSpan.FromDays(30);

    private readonly IIdentityStateStore? _store;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly PolicyEngine _policy;
    private readonly DelegationSeal _seal;
    private readonly TimeProvider _time;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;

    internal DelegationRegistry(IIdentityStateStore? store, IIdentitySnapshotProvider snapshots, PolicyEngine policy, string root, TimeProvider time, HermesMetrics metrics, ILoggerFactory? loggerFactory)
    {
        _store = store;
        _snapshots = snapshots;
        _policy = policy;
        _seal = new DelegationSeal(root);
        _time = time;
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Delegations");
    }

    /// <summary>
    /// Creates a delegation for the profile of the turn in progress. In a delegated turn (a job or sub-agent creating a
    /// sub-agent) the new delegation is bounded by the turn's own: its actions must lie within the turn's delegation's,
    /// it expires no later, and revoking or expiring the turn's delegation stops it too.
    /// </summary>
    /// <param name="job">The job's name, for logs, the audit and the prompt (1 to 64 characters, no control characters). Decides nothing.</param>
    /// <param name="actions">
    /// Action patterns the delegation is limited to (<c>tool.web.*</c>, <c>memory.read</c>), or <see langword="null"/>
    /// for every action the delegator holds (in a delegated turn: every action that turn's delegation allows). Never
    /// more than the delegator holds when each decision is made.
    /// </param>
    /// <param name="lifetime">How long the delegation works, or <see langword="null"/> until revoked (in a delegated turn: until the turn's delegation expires).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The delegation, as stored. Keep its <see cref="Delegation.Id"/> to run the job.</returns>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    /// <exception cref="ArgumentException">The job name, an action pattern or the lifetime is not valid.</exception>
    /// <exception cref="DelegationRefusedException">
    /// The turn is a guest's (guests cannot delegate), the actions are wider than the turn's own delegation, sub-agents
    /// are nested more than <see cref="MaxDepth"/> deep, the person already has <see cref="MaxLivePerProfile"/> live
    /// delegations, or the turn's own delegation can no longer be used.
    /// </exception>
    /// <exception cref="InvalidOperationException">No state store is registered.</exception>
    /// <exception cref="StateStoreException">The state store failed; nothing was created.</exception>
    public async Task<Delegation> CreateAsync(string job, IEnumerable<string>? actions = null, TimeSpan? lifetime = null, CancellationToken cancellationToken = default)
    {
        var turn = CurrentTurnAccessor.Peek() ?? throw new NoActiveTurnException();
        job = ValidateJob(job);
        var patterns = DelegationBounds.Validate(actions);
        if (lifetime is { } span && span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "A delegation's lifetime must be positive; pass null for one that lasts until revoked.");
        }

        var store = Store();
        var profile = turn.Profile;
        if (profile.IsGuest)
        {
            throw Refused(string.Empty, $"{profile.Key} is a guest, and a guest cannot delegate: a job acting for a guest would outlive the guest's one message. Add them to identities.yaml first.");
        }

        var now = _time.GetUtcNow();
        DateTimeOffset? expires = lifetime is { } l ? now + l : null;
        IReadOnlyList<string> chain = [];
        if (turn.Delegation is { } parent)
        {
            // The parent is read again: a job whose own delegation was revoked since its turn began cannot hand it on.
            await CheckAsync(store, parent.Id, null, cancellationToken).ConfigureAwait(false);
            if (parent.Chain.Count + 1 >= MaxDepth)
            {
                throw Refused(string.Empty, $"Sub-agents nest at most {MaxDepth} deep; {parent.Id} is already at depth {parent.Chain.Count + 1}.");
            }

            if (!DelegationBounds.IsWithin(patterns ?? parent.Actions, parent.Actions))
            {
                throw Refused(string.Empty,
                    $"This turn is job '{parent.Job}' acting through {parent.Id}, limited to {string.Join(", ", parent.Actions!)}; a sub-agent's delegation " +
                    $"cannot reach further ({string.Join(", ", patterns!)} asked). Ask for a subset of those actions, or pass null to hand on exactly them.");
            }

            patterns ??= parent.Actions;
            if (parent.ExpiresAt is { } bound && (expires is null || expires > bound))
            {
                expires = bound;
            }

            chain = [.. parent.Chain, parent.Id];
        }

        var delegation = new Delegation(DelegationId.New(), profile.Key, job, patterns, now, expires, turn.TurnId, turn.Sender.Principal, chain);
        var live = 0;
        foreach (var other in await ReadAllAsync(store, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(other.ProfileKey, profile.Key, StringComparison.Ordinal) && IsLive(other, now))
            {
                live++;
            }
        }

        if (live >= MaxLivePerProfile)
        {
            throw Refused(string.Empty, $"{profile.Key} already has {live} delegations that are neither expired nor revoked, the most allowed ({MaxLivePerProfile}). Revoke some first.");
        }

        var data = DelegationRecord.Write(delegation, _seal);
        if (!await store.TryCommitAsync([StateChange.Put(DelegationRecord.Kind, delegation.Id, data, 0, expires)], cancellationToken).ConfigureAwait(false))
        {
            // 128 random bits: a collision means the store already holds this id, which is never expected.
            throw new StateStoreException($"The state store already holds a delegation with the new id {delegation.Id}; nothing was created. Try again.");
        }

        Count("created");
        Log.DelegationCreated(_logger, profile.Key, delegation.Id, job, patterns is null ? "all the delegator holds" : string.Join(", ", patterns), expires, turn.TurnId);
        return delegation;
    }

    /// <summary>
    /// The delegations of the profile of the turn in progress that are neither expired nor revoked, oldest first. In a
    /// delegated turn: only those created below the turn's own delegation (its sub-agents', at any depth).
    /// </summary>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    /// <exception cref="InvalidOperationException">No state store is registered.</exception>
    /// <exception cref="StateStoreException">The state store failed.</exception>
    public async Task<IReadOnlyList<Delegation>> ListAsync(CancellationToken cancellationToken = default)
    {
        var turn = CurrentTurnAccessor.Peek() ?? throw new NoActiveTurnException();
        var store = Store();
        var now = _time.GetUtcNow();
        var all = await ReadAllAsync(store, cancellationToken).ConfigureAwait(false);
        return [.. all
            .Where(d => string.Equals(d.ProfileKey, turn.Profile.Key, StringComparison.Ordinal) && IsLive(d, now))
            .Where(d => turn.Delegation is not { } own || d.Chain.Contains(own.Id, StringComparer.Ordinal))
            .OrderBy(d => d.CreatedAt)];
    }

    /// <summary>
    /// Revokes a delegation: no turn begins from it, or from a delegation created below it, from then on (a turn already
    /// running from it runs to its end, each of its decisions still the delegator's own). A person revokes their own; a
    /// holder of <c>identity.admin</c> may revoke anyone's. In a delegated turn, only the turn's own delegation and those
    /// created below it.
    /// </summary>
    /// <param name="delegationId">The delegation's id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when this call revoked it; <see langword="false"/> when there is no such delegation or it had already expired or been revoked.</returns>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    /// <exception cref="AccessDeniedException">The delegation is someone else's and the turn's profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="DelegationRefusedException">The stored record cannot be trusted (it does not match its seal).</exception>
    /// <exception cref="InvalidOperationException">No state store is registered.</exception>
    /// <exception cref="StateStoreException">The state store failed; nothing was revoked.</exception>
    public async Task<bool> RevokeAsync(string delegationId, CancellationToken cancellationToken = default)
    {
        var turn = CurrentTurnAccessor.Peek() ?? throw new NoActiveTurnException();
        var store = Store();
        if (!DelegationId.IsWellFormed(delegationId))
        {
            return false;
        }

        while (true)
        {
            var record = await store.GetAsync(DelegationRecord.Kind, delegationId, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                return false;
            }

            var d = Read(record);
            var now = _time.GetUtcNow();
            if (!IsLive(d, now))
            {
                return false;
            }

            var own = string.Equals(d.ProfileKey, turn.Profile.Key, StringComparison.Ordinal)
                && (turn.Delegation is not { } mine || d.Id == mine.Id || d.Chain.Contains(mine.Id, StringComparer.Ordinal));
            if (!own)
            {
                var decision = await _policy.AuthorizeAsync(PolicyActions.IdentityAdmin, "delegation:" + d.Id, cancellationToken).ConfigureAwait(false);
                if (!decision.IsAllowed)
                {
                    throw new AccessDeniedException(PolicyActions.IdentityAdmin, "delegation:" + d.Id, decision,
                        $"Cannot revoke {d.Id}, which is {d.ProfileKey}'s (only its delegator, a job below it, or a holder of identity.admin may)");
                }
            }

            var revoked = new Delegation(d.Id, d.ProfileKey, d.Job, d.Actions, d.CreatedAt, d.ExpiresAt, d.CreatedInTurn, d.CreatedBy, d.Chain, now, turn.Profile.Key);
            var keep = now + RevokedRetention;
            var change = StateChange.Put(DelegationRecord.Kind, d.Id, DelegationRecord.Write(revoked, _seal), record.Version, d.ExpiresAt is { } e && e < keep ? e : keep);
            if (await store.TryCommitAsync([change], cancellationToken).ConfigureAwait(false))
            {
                Count("revoked");
                Log.DelegationRevoked(_logger, turn.Profile.Key, d.Id, d.Job, d.ProfileKey);
                return true;
            }

            // Changed meanwhile (revoked by someone else): read it again.
        }
    }

    // Whether a turn may begin from the delegation now, and for whom: the record read from the store and checked against
    // its seal, neither it nor any delegation above it expired or revoked, and its delegator still in the configuration in
    // force (with the role it has there now). Asked from inside a turn (`caller`), only a delegation of that turn's own
    // profile, and in a delegated turn only one created below its delegation: a job cannot start anyone else's job, even
    // with its id. Refusals are thrown, logged and counted.
    internal async Task<AdmittedDelegation> AdmitAsync(string delegationId, TurnContext? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delegationId);
        var store = Store();
        try
        {
            var admitted = await CheckAsync(store, delegationId, caller, cancellationToken).ConfigureAwait(false);
            Count("admitted");
            return admitted;
        }
        catch (DelegationRefusedException ex)
        {
            Count("refused");
            Log.DelegationRefused(_logger, delegationId, ex.Message);
            throw;
        }
    }

    private async Task<AdmittedDelegation> CheckAsync(IIdentityStateStore store, string delegationId, TurnContext? caller, CancellationToken cancellationToken)
    {
        if (!DelegationId.IsWellFormed(delegationId))
        {
            throw Refused(delegationId, $"'{SenderEnvelope.Printable(delegationId)}' is not a delegation id (they look like dlg_ and 26 characters of a-z and 2-7).");
        }

        var now = _time.GetUtcNow();
        var delegation = await ReadUsableAsync(store, delegationId, null, now, cancellationToken).ConfigureAwait(false);
        if (caller is not null)
        {
            if (!string.Equals(caller.Profile.Key, delegation.ProfileKey, StringComparison.Ordinal))
            {
                throw Refused(delegationId,
                    $"The {caller} asked to start {delegation}: a turn can start only delegations of its own profile ({caller.Profile.Key}). Nothing ran.");
            }

            if (caller.Delegation is { } own && !delegation.Chain.Contains(own.Id, StringComparer.Ordinal))
            {
                throw Refused(delegationId,
                    $"The {caller} asked to start {delegation}, which was not created below its own delegation {own.Id}: a job can start only its own sub-agents. Nothing ran.");
            }
        }

        foreach (var above in delegation.Chain)
        {
            await ReadUsableAsync(store, above, delegation, now, cancellationToken).ConfigureAwait(false);
        }

        IdentitySnapshot snapshot;
        try
        {
            snapshot = _snapshots.Current;
        }
        catch (IdentityConfigException ex)
        {
            throw Refused(delegationId, $"No valid identities configuration is loaded, so {delegation} cannot be checked: {ex.Message}");
        }

        if (!snapshot.Profiles.TryGetValue(delegation.ProfileKey, out var profile) || profile.IsGuest)
        {
            throw Refused(delegationId,
                $"{delegation} was created by {delegation.ProfileKey}, who is no longer in the identity configuration (revision {snapshot.Revision}): " +
                "a job cannot act for someone who was removed. Nothing ran.");
        }

        return new AdmittedDelegation(delegation, profile, snapshot.Revision);
    }

    // One delegation of a chain, read and checked: it exists, matches its seal, is neither expired nor revoked, and (for
    // one above `below`) is for the same person.
    private async Task<Delegation> ReadUsableAsync(IIdentityStateStore store, string id, Delegation? below, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var what = below is null ? $"Delegation {id}" : $"Delegation {id}, above {below.Id},";
        var record = await store.GetAsync(DelegationRecord.Kind, id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            throw Refused(below?.Id ?? id, $"{what} does not exist (it was never created here, or it expired or was revoked and has since been removed). Nothing ran.");
        }

        var d = Read(record);
        if (below is not null && !string.Equals(d.ProfileKey, below.ProfileKey, StringComparison.Ordinal))
        {
            throw Untrusted(below.Id, $"it names {id} as its parent, which is another person's delegation");
        }

        if (d.RevokedAt is { } revoked)
        {
            throw Refused(below?.Id ?? id, $"{what} job '{d.Job}' acting for {d.ProfileKey}, was revoked by {d.RevokedBy} at {Time(revoked)}. Nothing ran.");
        }

        if (d.ExpiresAt is { } expires && now >= expires || record.ExpiresAt is { } stored && now >= stored)
        {
            throw Refused(below?.Id ?? id, $"{what} job '{d.Job}' acting for {d.ProfileKey}, expired at {Time(d.ExpiresAt ?? record.ExpiresAt!.Value)}. Nothing ran; {d.ProfileKey} can create a new one in their own turn.");
        }

        return d;
    }

    private Delegation Read(StateRecord record) =>
        DelegationRecord.TryRead(record, _seal, out var problem) ?? throw Untrusted(record.Key, problem!);

    private async Task<List<Delegation>> ReadAllAsync(IIdentityStateStore store, CancellationToken cancellationToken)
    {
        var records = await store.ListAsync(DelegationRecord.Kind, DelegationId.Prefix, cancellationToken).ConfigureAwait(false);
        var result = new List<Delegation>(records.Count);
        foreach (var record in records)
        {
            if (DelegationRecord.TryRead(record, _seal, out var problem) is { } d)
            {
                result.Add(d);
            }
            else
            {
                Log.DelegationRecordUntrusted(_logger, record.Key, problem!);
            }
        }

        return result;
    }

    private static bool IsLive(Delegation d, DateTimeOffset now) => d.RevokedAt is null && (d.ExpiresAt is not { } e || now < e);

    private IIdentityStateStore Store() => _store ?? throw new InvalidOperationException(
        "Delegations are kept in the identity state store, and none is registered: call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.");

    private static string ValidateJob(string job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var trimmed = job.Trim();
        if (trimmed.Length is 0 or > MaxJobLength || trimmed.Any(char.IsControl))
        {
            throw new ArgumentException($"A job name is 1 to {MaxJobLength} characters without control characters, such as \"nightly-digest\".", nameof(job));
        }

        return trimmed;
    }

    private DelegationRefusedException Untrusted(string id, string problem)
    {
        Log.DelegationRecordUntrusted(_logger, id, problem);
        return Refused(id, $"Delegation {id} was refused: {problem}. Nothing ran. Revoke it and have its delegator create a new one.");
    }

    private static DelegationRefusedException Refused(string id, string message) => new(id, message);

    private void Count(string outcome)
    {
        if (_metrics.Delegations.Enabled)
        {
            _metrics.Delegations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
}
