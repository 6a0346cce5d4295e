using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Approvals;

/// <summary>
/// Grants limited in time and uses: "Mei may use <c>tool.exec</c> 3 times in the next hour". A holder of
/// <c>approval.grant</c> issues one for what they hold themselves; while it has uses left and has not expired, it turns
/// the roles' default deny (no rule allows the action) or their <see cref="PolicyEffect.RequireApproval"/> into an allow,
/// one use per allowed call, used up atomically in the state store (exact under concurrent calls, across processes).
/// An explicit <c>deny:</c> rule still wins, and so does any other policy backend's deny. Explain shows the grant and
/// its uses left; an allowed decision names it in its reason and its rule ids (<c>grant:ID</c>).
/// </summary>
/// <remarks>
/// A singleton from the service provider. Each method acts as the profile of the turn in progress, checked against the
/// configuration in force; the issuer's rights are checked again every time the grant is used (an issuer demoted or
/// removed since takes the grant's force with them). Needs the state store (<c>AddSqliteState()</c>); without one each
/// method throws <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class Grants
{
    /// <summary>The most uses one grant may have: 1,000.</summary>
    internal const int MaxUses = 1000;

    /// <summary>The longest a grant may last: 30 days.</summary>
    internal static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <summary>The shortest a grant may last: 1 minute.</summary>
    internal static readonly TimeSpan MinLifetime = TimeSpan.FromMinutes(1);

    private readonly GrantBook _book;
    private readonly PolicyEngine _policy;
    private readonly ICurrentProfile _current;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly ILogger _logger;

    internal Grants(GrantBook book, PolicyEngine policy, ICurrentProfile current, IIdentitySnapshotProvider snapshots, ILogger logger)
    {
        _book = book;
        _policy = policy;
        _current = current;
        _snapshots = snapshots;
        _logger = logger;
    }

    /// <summary>
    /// Issues a grant to <paramref name="profileKey"/> for <paramref name="actionPattern"/>, good for
    /// <paramref name="uses"/> allowed calls within <paramref name="lifetime"/>, as the profile of the turn in progress.
    /// </summary>
    /// <param name="profileKey">A profile of the identities configuration (not a guest).</param>
    /// <param name="actionPattern">An action (<c>tool.exec</c>) or <c>prefix.*</c> (<c>tool.files.*</c>). Not <c>*</c>, and nothing that covers <c>approval.grant</c> or <c>identity.admin</c>: a grant lends the use of an action, never the power to grant or administer.</param>
    /// <param name="uses">1 to <see cref="MaxUses"/>.</param>
    /// <param name="lifetime"><see cref="MinLifetime"/> to <see cref="MaxLifetime"/>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored grant.</returns>
    /// <exception cref="ArgumentException">The profile is unknown, the pattern is malformed or too wide, or uses or lifetime are out of range.</exception>
    /// <exception cref="AccessDeniedException">No turn is in progress, its profile does not hold <c>approval.grant</c>, or it does not hold <paramref name="actionPattern"/> outright itself.</exception>
    public async ValueTask<Grant> IssueAsync(string profileKey, string actionPattern, int uses, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(profileKey);
        ArgumentException.ThrowIfNullOrEmpty(actionPattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(uses, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(uses, MaxUses);
        if (lifetime < MinLifetime || lifetime > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"A grant lasts from {MinLifetime} to {MaxLifetime}.");
        }

        if (PatternProblem(actionPattern) is { } malformed)
        {
            throw new ArgumentException(malformed, nameof(actionPattern));
        }

        var snapshot = _snapshots.Current;
        if (!snapshot.Profiles.ContainsKey(profileKey))
        {
            throw new ArgumentException($"'{profileKey}' is not a profile of the identities configuration in force; a grant is for a configured person.", nameof(profileKey));
        }

        var (issuer, decision) = await RequireHolderAsync("grant:" + profileKey, cancellationToken).ConfigureAwait(false);
        if (!snapshot.RoleTable.TryGetRules(snapshot.Profiles[issuer], out var rules, out _) || rules.Explain(actionPattern) is not { IsAllowed: true, NeedsApproval: false })
        {
            var refusal = PolicyDecision.Deny($"{issuer} does not hold {actionPattern} outright, so cannot grant it: a grant lends only what its issuer holds.", decision.Revision);
            Log.GrantRefused(_logger, issuer, refusal.Reason);
            throw new AccessDeniedException(PolicyActions.ApprovalGrant, "grant:" + profileKey, refusal);
        }

        var grant = await _book.IssueAsync(profileKey, actionPattern, issuer, uses, lifetime, cancellationToken).ConfigureAwait(false);
        return grant.ToView();
    }

    /// <summary>
    /// The grants that have uses left and have not expired, soonest to expire first: every profile's for a holder of
    /// <c>approval.grant</c>, the caller's own for anyone else, none outside a turn. Pass <paramref name="profileKey"/> to
    /// list one profile's.
    /// </summary>
    public async ValueTask<IReadOnlyList<Grant>> ListAsync(string? profileKey = null, CancellationToken cancellationToken = default)
    {
        if (Turn() is not { } turn)
        {
            return [];
        }

        var all = (await _policy.PreviewAsync(PolicyActions.ApprovalGrant, null, cancellationToken).ConfigureAwait(false)).IsAllowed;
        var list = new List<Grant>();
        foreach (var grant in await _book.ListLiveAsync(cancellationToken).ConfigureAwait(false))
        {
            if ((all || string.Equals(grant.Profile, turn.Profile.Key, StringComparison.Ordinal))
                && (profileKey is null || string.Equals(grant.Profile, profileKey, StringComparison.Ordinal)))
            {
                list.Add(grant.ToView());
            }
        }

        list.Sort(static (a, b) => a.ExpiresAt != b.ExpiresAt ? a.ExpiresAt.CompareTo(b.ExpiresAt) : string.CompareOrdinal(a.Id, b.Id));
        return list;
    }

    /// <summary>Revokes grant <paramref name="id"/> as the profile of the turn in progress, which must hold <c>approval.grant</c>. From then on it allows nothing, in every process sharing the store.</summary>
    /// <returns><see langword="true"/> when the grant existed and is now gone.</returns>
    /// <exception cref="AccessDeniedException">No turn is in progress, or its profile does not hold <c>approval.grant</c>.</exception>
    public async ValueTask<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var (revoker, _) = await RequireHolderAsync("grant:" + id, cancellationToken).ConfigureAwait(false);
        if (ShortCode.Normalize(id) is not { } code || !await _book.RevokeAsync(code, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Log.GrantRevoked(_logger, revoker, code);
        return true;
    }

    private static string? PatternProblem(string pattern)
    {
        if (pattern == ActionPattern.Everything)
        {
            return "A grant for '*' would lend everything, including the power to grant; name the action, such as tool.exec.";
        }

        foreach (var c in pattern)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '_' and not '-' and not '*')
            {
                return $"'{pattern}' is not an action pattern: use an action such as tool.exec, or prefix.* such as tool.files.*.";
            }
        }

        if (pattern.Contains('*', StringComparison.Ordinal) && !ActionPattern.IsPrefix(pattern) || pattern.IndexOf('*', StringComparison.Ordinal) != pattern.LastIndexOf('*'))
        {
            return $"'{pattern}' is not an action pattern: '*' may only end it, as in tool.files.*.";
        }

        return ActionPattern.Matches(pattern, PolicyActions.ApprovalGrant) || ActionPattern.Matches(pattern, PolicyActions.IdentityAdmin)
            ? $"'{pattern}' covers {PolicyActions.ApprovalGrant} or {PolicyActions.IdentityAdmin}: a grant lends the use of an action, never the power to grant or administer."
            : null;
    }

    private async ValueTask<(string Issuer, PolicyDecision Decision)> RequireHolderAsync(string resource, CancellationToken cancellationToken)
    {
        var decision = await _policy.AuthorizeAsync(PolicyActions.ApprovalGrant, resource, cancellationToken).ConfigureAwait(false);
        var who = Turn()?.Profile.Key ?? "(nobody)";
        if (!decision.IsAllowed)
        {
            Log.GrantRefused(_logger, who, decision.Reason);
            throw new AccessDeniedException(PolicyActions.ApprovalGrant, resource, decision);
        }

        return (who, decision);
    }

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
