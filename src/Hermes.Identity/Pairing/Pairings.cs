using Hermes.Identity.Policy;

namespace Hermes.Identity.Pairing;

/// <summary>
/// Pairing and linking, between messages: approve or deny the code an unknown sender was given under
/// <c>unknown_senders: pair</c>, revoke what was paired, list both; and let a known person link another account to
/// themselves with a one-time code. Everything is kept in the identity state store (<c>AddSqliteState()</c>), so it
/// survives restarts and is shared by every process on the same store. A singleton: resolve it from the root services.
/// </summary>
/// <remarks>
/// <para>The administrative operations (<see cref="ApproveAsync"/>, <see cref="ApproveLinkAsync"/>, <see cref="DenyAsync"/>,
/// <see cref="RevokeAccountAsync"/>, <see cref="RevokeAsync"/>, <see cref="ListPendingAsync"/>, <see cref="ListPairedAsync"/>)
/// run in the approver's own turn (the host's <c>/approve</c> handler) and are allowed only if that turn's profile holds
/// <c>identity.admin</c>; outside a turn they are refused.</para>
/// <para>How they fail: a policy refusal (no <c>identity.admin</c>, or no turn) throws <see cref="AccessDeniedException"/>;
/// anything wrong with the code, the role, the profile key or the account throws <see cref="PairingException"/>, whose
/// <see cref="PairingException.Reason"/> says which case and whose message can be shown to the person who asked; a store
/// that cannot be read or written throws <see cref="State.StateStoreException"/>; no store registered throws
/// <see cref="InvalidOperationException"/>. Every refusal is logged and counted (<c>hermes.identity.pairing.refusals</c>).</para>
/// <para>Approved people are admitted from their next message, with the role chosen; they appear in
/// <see cref="IdentitySnapshot.Profiles"/>, and the snapshot's <see cref="IdentitySnapshot.Revision"/> changes with every
/// approval, link and revocation. identities.yaml stays the source of truth: an entry there wins over a paired one.</para>
/// </remarks>
public sealed class Pairings
{
    private readonly PairingLedger? _ledger;
    private readonly PolicyEngine _policy;
    private readonly ICurrentProfile _current;
    private readonly IIdentitySnapshotProvider _snapshots;

    internal Pairings(PairingLedger? ledger, PolicyEngine policy, ICurrentProfile current, IIdentitySnapshotProvider snapshots)
    {
        _ledger = ledger;
        _policy = policy;
        _current = current;
        _snapshots = snapshots;
    }

    /// <summary>
    /// Approves pairing code <paramref name="code"/> issued on <paramref name="platform"/> as a new person: the account
    /// that asked for it becomes profile <paramref name="profileKey"/> with role <paramref name="role"/>, admitted from its
    /// next message. Needs <c>identity.admin</c> in the caller's turn.
    /// </summary>
    /// <param name="platform">The platform the code was issued on (<c>telegram</c>).</param>
    /// <param name="code">The code, as typed: case, spaces and dashes do not matter.</param>
    /// <param name="role">A role of the identities configuration in force. Never <c>owner</c>, nor any role that allows <c>identity.admin</c>.</param>
    /// <param name="profileKey">A new profile key, in neither identities.yaml nor the paired people.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The paired account.</returns>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="PairingException">
    /// <see cref="PairingRefusal.UnknownCode"/>, <see cref="PairingRefusal.WrongPlatform"/> (both count toward the
    /// lock-out), <see cref="PairingRefusal.Expired"/>, <see cref="PairingRefusal.AlreadyUsed"/>, <see cref="PairingRefusal.Locked"/>,
    /// <see cref="PairingRefusal.UnknownRole"/>, <see cref="PairingRefusal.RoleNotAllowed"/>, <see cref="PairingRefusal.ProfileKeyTaken"/>,
    /// <see cref="PairingRefusal.AccountTaken"/>.
    /// </exception>
    /// <exception cref="ArgumentException">The platform name or the profile key is not well-formed.</exception>
    public async ValueTask<PairedAccount> ApproveAsync(string platform, string code, string role, string profileKey, CancellationToken cancellationToken = default)
    {
        platform = SenderEnvelope.NormalizePlatform(platform);
        ArgumentNullException.ThrowIfNull(code);
        ArgumentException.ThrowIfNullOrEmpty(role);
        ProfileKey.ThrowIfInvalid(profileKey);
        var ledger = Ledger();
        var actor = await AuthorizeAsync("approve", platform, cancellationToken).ConfigureAwait(false);

        var snapshot = _snapshots.Current;
        if (!snapshot.Roles.ContainsKey(role))
        {
            throw ledger.Refuse("approve", platform, actor, PairingRefusal.UnknownRole,
                $"There is no role '{role}'. Known roles: {string.Join(", ", snapshot.Roles.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (GrantsAdministration(snapshot, role))
        {
            throw ledger.Refuse("approve", platform, actor, PairingRefusal.RoleNotAllowed,
                $"Pairing never grants '{role}': it is the owner's role or allows identity.admin. Pair with a lesser role, or add the person to identities.yaml.");
        }

        if (profileKey.StartsWith(ProfileKey.GuestPrefix, StringComparison.Ordinal) || snapshot.Profiles.ContainsKey(profileKey))
        {
            throw ledger.Refuse("approve", platform, actor, PairingRefusal.ProfileKeyTaken, TakenKey(profileKey));
        }

        var result = await ledger.ApproveAsync(platform, code, actor, (people, pending, now) =>
        {
            var entry = NewEntry(platform, pending, actor, now, isLink: false);
            if (people.Find(profileKey) is not null || _snapshots.Current.Profiles.ContainsKey(profileKey))
            {
                throw new PairingException(PairingRefusal.ProfileKeyTaken, TakenKey(profileKey));
            }

            ThrowIfTaken(people, entry);
            var person = new PairedPerson { Key = profileKey, Role = role, Accounts = [entry] };
            people.People.Add(person);
            return PairingLedger.Paired(person, entry);
        }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Approves pairing code <paramref name="code"/> issued on <paramref name="platform"/> by adding the account that
    /// asked to an existing person, <paramref name="profileKey"/> (in identities.yaml or paired): from its next message
    /// it is that person, with their role. Refused for a person whose role is owner or allows <c>identity.admin</c>
    /// (they link their own accounts with <see cref="CreateLinkCodeAsync"/>). Needs <c>identity.admin</c> in the caller's turn.
    /// </summary>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="PairingException">As <see cref="ApproveAsync"/>, and <see cref="PairingRefusal.UnknownProfile"/> for a person nobody knows.</exception>
    /// <exception cref="ArgumentException">The platform name or the profile key is not well-formed.</exception>
    public async ValueTask<PairedAccount> ApproveLinkAsync(string platform, string code, string profileKey, CancellationToken cancellationToken = default)
    {
        platform = SenderEnvelope.NormalizePlatform(platform);
        ArgumentNullException.ThrowIfNull(code);
        ProfileKey.ThrowIfInvalid(profileKey);
        var ledger = Ledger();
        var actor = await AuthorizeAsync("approve", platform, cancellationToken).ConfigureAwait(false);
        CheckLinkTarget(ledger, platform, actor, profileKey, _snapshots.Current);

        var result = await ledger.ApproveAsync(platform, code, actor, (people, pending, now) =>
        {
            var snapshot = _snapshots.Current;
            var entry = NewEntry(platform, pending, actor, now, isLink: true);
            ThrowIfTaken(people, entry);
            if (!snapshot.Profiles.ContainsKey(profileKey))
            {
                throw new PairingException(PairingRefusal.UnknownProfile, UnknownPerson(profileKey));
            }

            var person = people.Find(profileKey);
            if (person is null)
            {
                person = new PairedPerson { Key = profileKey };
                people.People.Add(person);
            }

            person.Accounts.Add(entry);
            return PairingLedger.Paired(person, entry);
        }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Denies pairing code <paramref name="code"/> issued on <paramref name="platform"/>: it can no longer be approved. Needs <c>identity.admin</c>.</summary>
    /// <returns>The request that was denied.</returns>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="PairingException"><see cref="PairingRefusal.UnknownCode"/>, <see cref="PairingRefusal.WrongPlatform"/>, <see cref="PairingRefusal.Expired"/>, <see cref="PairingRefusal.AlreadyUsed"/>, <see cref="PairingRefusal.Locked"/>.</exception>
    public async ValueTask<PairingRequest> DenyAsync(string platform, string code, CancellationToken cancellationToken = default)
    {
        platform = SenderEnvelope.NormalizePlatform(platform);
        ArgumentNullException.ThrowIfNull(code);
        var ledger = Ledger();
        var actor = await AuthorizeAsync("deny", platform, cancellationToken).ConfigureAwait(false);
        return await ledger.DenyAsync(platform, code, actor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes one paired or linked account: from its next message (in this process; within a second in others) it is
    /// refused again, and a turn begun from an older resolution is refused. Needs <c>identity.admin</c>.
    /// </summary>
    /// <returns>1.</returns>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="PairingException"><see cref="PairingRefusal.NotPaired"/>: the account was not paired (identities.yaml entries are removed there).</exception>
    public async ValueTask<int> RevokeAccountAsync(string platform, string userId, CancellationToken cancellationToken = default)
    {
        var account = new PlatformPrincipal(SenderEnvelope.NormalizePlatform(platform), SenderEnvelope.ValidateId(userId, nameof(userId), "user id", allowNull: false)!);
        var ledger = Ledger();
        var actor = await AuthorizeAsync("revoke", account.Platform, cancellationToken).ConfigureAwait(false);
        var removed = await ledger.RevokeAsync(account.ToString(), actor, people =>
        {
            var person = people.FindAccount(account.Platform, account.UserId);
            return person?.Accounts.RemoveAll(a => a.Principal == account) ?? 0;
        }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>
    /// Revokes every paired or linked account of <paramref name="profileKey"/>: a paired person is removed; a person of
    /// identities.yaml keeps the accounts listed there and loses only those linked. Needs <c>identity.admin</c>.
    /// </summary>
    /// <returns>How many accounts were revoked.</returns>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    /// <exception cref="PairingException"><see cref="PairingRefusal.NotPaired"/>: nothing of that profile was paired or linked.</exception>
    public async ValueTask<int> RevokeAsync(string profileKey, CancellationToken cancellationToken = default)
    {
        ProfileKey.ThrowIfInvalid(profileKey);
        var ledger = Ledger();
        var actor = await AuthorizeAsync("revoke", "-", cancellationToken).ConfigureAwait(false);
        var removed = await ledger.RevokeAsync("profile " + profileKey, actor, people =>
        {
            var person = people.Find(profileKey);
            var count = person?.Accounts.Count ?? 0;
            person?.Accounts.Clear();
            return count;
        }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>The codes waiting for approval (all platforms, or <paramref name="platform"/>), oldest first. Needs <c>identity.admin</c>.</summary>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    public async ValueTask<IReadOnlyList<PairingRequest>> ListPendingAsync(string? platform = null, CancellationToken cancellationToken = default)
    {
        platform = platform is null ? null : SenderEnvelope.NormalizePlatform(platform);
        var ledger = Ledger();
        _ = await AuthorizeAsync("list", platform ?? "-", cancellationToken).ConfigureAwait(false);
        return await ledger.ListPendingAsync(platform, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every account admitted through pairing or linking, oldest first. Needs <c>identity.admin</c>.</summary>
    /// <exception cref="AccessDeniedException">No turn, or its profile does not hold <c>identity.admin</c>.</exception>
    public async ValueTask<IReadOnlyList<PairedAccount>> ListPairedAsync(CancellationToken cancellationToken = default)
    {
        var ledger = Ledger();
        _ = await AuthorizeAsync("list", "-", cancellationToken).ConfigureAwait(false);
        return await ledger.ListPairedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A one-time code that links another account to the current turn's person: they send it, from that account, to the
    /// host's <c>/link</c> handler, which calls <see cref="LinkAsync"/>. Only a known person (in identities.yaml or paired,
    /// not a guest) in a direct chat may ask; a new code retires the previous one. It expires after
    /// <see cref="PairingOptions.LinkCodeLifetime"/> (10 minutes by default). Show it only to them: whoever sends it
    /// first becomes them.
    /// </summary>
    /// <exception cref="NoActiveTurnException">No turn is in progress.</exception>
    /// <exception cref="PairingException"><see cref="PairingRefusal.NotKnown"/> (a guest), <see cref="PairingRefusal.NotDirectChat"/>.</exception>
    public async ValueTask<LinkCode> CreateLinkCodeAsync(CancellationToken cancellationToken = default)
    {
        var ledger = Ledger();
        if (!_current.IsInTurn)
        {
            throw new NoActiveTurnException("A link code is asked for in the person's own turn (the host's handler of their message), and no turn is in progress.");
        }

        var turn = _current.Turn;
        var sender = turn.Sender;
        if (turn.Profile.IsGuest || !_snapshots.Current.TryGetProfile(sender.Account, out var person) || !string.Equals(person.Key, turn.Profile.Key, StringComparison.Ordinal))
        {
            throw ledger.Refuse("link_code", sender.Platform, turn.Profile.Key, PairingRefusal.NotKnown,
                "Only someone the bot already knows can link another account; ask the owner to approve you first.");
        }

        if (sender.ChatKind != ChatKind.Direct)
        {
            throw ledger.Refuse("link_code", sender.Platform, person.Key, PairingRefusal.NotDirectChat,
                "Ask for a link code in a direct message to the bot: in a group, anyone who sees it could use it first.");
        }

        return await ledger.CreateLinkCodeAsync(person.Key, sender.Account, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Links <paramref name="sender"/>'s account (unknown so far) to the person who asked for link code
    /// <paramref name="code"/>: from its next message it is that person. The host's <c>/link CODE</c> handler calls this
    /// for a sender that was not admitted; no turn is needed. Failed attempts are limited: a sender waits
    /// <see cref="PairingOptions.LinkRetryInterval"/> after one, and <see cref="PairingOptions.MaxFailedAttempts"/> on a
    /// platform lock linking from it for <see cref="PairingOptions.LockoutDuration"/>.
    /// </summary>
    /// <returns>The linked account.</returns>
    /// <exception cref="PairingException">
    /// <see cref="PairingRefusal.NotDirectChat"/>, <see cref="PairingRefusal.Automated"/> (a sender flagged as a bot, webhook or relay),
    /// <see cref="PairingRefusal.AccountTaken"/> (the sender is already someone),
    /// <see cref="PairingRefusal.Locked"/>, <see cref="PairingRefusal.RateLimited"/>, <see cref="PairingRefusal.UnknownCode"/>
    /// (counts toward the lock-out), <see cref="PairingRefusal.Expired"/>, <see cref="PairingRefusal.AlreadyUsed"/>,
    /// <see cref="PairingRefusal.UnknownProfile"/> (the person is no longer known).
    /// </exception>
    public async ValueTask<PairedAccount> LinkAsync(SenderEnvelope sender, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(code);
        var ledger = Ledger();
        if (sender.IsAutomated)
        {
            throw ledger.Refuse("link", sender.Platform, sender.Principal, PairingRefusal.Automated,
                "A bot, webhook or relay cannot link itself to a person; put its account in identities.yaml (with 'automated:') instead.");
        }

        if (sender.ChatKind != ChatKind.Direct)
        {
            throw ledger.Refuse("link", sender.Platform, sender.Principal, PairingRefusal.NotDirectChat,
                "Send the link code in a direct message to the bot: in a group, others could see it.");
        }

        await RefreshAsync(cancellationToken, force: false).ConfigureAwait(false);
        if (_snapshots.Current.TryGetProfile(sender.Account, out var holder))
        {
            throw ledger.Refuse("link", sender.Platform, sender.Principal, PairingRefusal.AccountTaken,
                $"{sender.Principal} already belongs to {holder.Key}; an account belongs to one person.");
        }

        var linked = await ledger.LinkAsync(sender, code, key =>
        {
            var snapshot = _snapshots.Current;
            if (!snapshot.Profiles.TryGetValue(key, out var person) || person.IsGuest)
            {
                throw new PairingException(PairingRefusal.UnknownProfile, UnknownPerson(key));
            }

            if (snapshot.TryGetProfile(sender.Account, out var taken))
            {
                throw new PairingException(PairingRefusal.AccountTaken, $"{sender.Principal} already belongs to {taken.Key}; an account belongs to one person.");
            }
        }, cancellationToken).ConfigureAwait(false);
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return linked;
    }

    private PairingLedger Ledger()
    {
        if (_ledger is null)
        {
            throw new InvalidOperationException("Pairing keeps its codes and paired accounts in the identity state store, and none is registered: call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.");
        }

        if (_snapshots is not PairedIdentitySnapshotProvider)
        {
            throw new InvalidOperationException("Paired people are admitted by the library's identities provider, which merges them into identities.yaml; a custom IIdentitySnapshotProvider is registered, so a pairing would never take effect. Remove that registration to use pairing.");
        }

        return _ledger;
    }

    private async ValueTask<string> AuthorizeAsync(string operation, string platform, CancellationToken cancellationToken)
    {
        var resource = "pairing:" + platform;
        var decision = await _policy.AuthorizeAsync(PolicyActions.IdentityAdmin, resource, cancellationToken).ConfigureAwait(false);
        var actor = _current.IsInTurn ? _current.Profile.Key : "(no turn)";
        if (!decision.IsAllowed)
        {
            var denied = new AccessDeniedException(PolicyActions.IdentityAdmin, resource, decision, $"You may not {operation} pairings");
            _ledger!.CountDenied(operation, platform, actor, denied.Message);
            throw denied;
        }

        return actor;
    }

    private ValueTask RefreshAsync(CancellationToken cancellationToken, bool force = true) =>
        _snapshots is PairedIdentitySnapshotProvider paired ? paired.TryRefreshAsync(force, cancellationToken) : ValueTask.CompletedTask;

    private static void CheckLinkTarget(PairingLedger ledger, string platform, string actor, string profileKey, IdentitySnapshot snapshot)
    {
        if (!snapshot.Profiles.TryGetValue(profileKey, out var target))
        {
            throw ledger.Refuse("approve", platform, actor, PairingRefusal.UnknownProfile, UnknownPerson(profileKey));
        }

        if (GrantsAdministration(snapshot, target.Role))
        {
            throw ledger.Refuse("approve", platform, actor, PairingRefusal.RoleNotAllowed,
                $"'{profileKey}' has role '{target.Role}', which pairing never grants: an account linked to them would be an administrator. They link their own accounts with a link code, or the account goes in identities.yaml.");
        }
    }

    // The owner's role, and any role that allows identity.admin: an account paired with it could approve more pairings.
    private static bool GrantsAdministration(IdentitySnapshot snapshot, string role)
    {
        if (string.Equals(role, BuiltInRoles.Owner, StringComparison.Ordinal))
        {
            return true;
        }

        return snapshot.RoleTable.RoleMayAllow(role, PolicyActions.IdentityAdmin);
    }

    private void ThrowIfTaken(PairedPeople people, PairedAccountEntry entry)
    {
        if (_snapshots.Current.TryGetProfile(entry.Principal, out var owner))
        {
            throw new PairingException(PairingRefusal.AccountTaken, $"{entry.Principal} already belongs to {owner.Key}; an account belongs to one person.");
        }

        if (people.FindAccount(entry.Platform, entry.UserId) is { } holder)
        {
            throw new PairingException(PairingRefusal.AccountTaken, $"{entry.Principal} is already paired to {holder.Key}; an account belongs to one person.");
        }
    }

    private static PairedAccountEntry NewEntry(string platform, PendingCode pending, string actor, DateTimeOffset now, bool isLink) =>
        new() { Platform = platform, UserId = pending.UserId, By = actor, At = now, IsLink = isLink };

    private static string TakenKey(string profileKey) =>
        $"Profile key '{profileKey}' is already someone's (in identities.yaml or paired) or reserved; choose another, or link the account to that person instead.";

    private static string UnknownPerson(string profileKey) =>
        $"Nobody has profile key '{profileKey}', in identities.yaml or paired.";
}
