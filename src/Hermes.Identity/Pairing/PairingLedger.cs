using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hermes.Identity.Internal;
using Hermes.Identity.State;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Pairing;

// Every pairing and linking rule, on top of the state store: codes, expiries, the cap on pending codes, the per-sender
// window, the lock-outs, the paired accounts. Each operation reads the records it needs, decides, and commits all of its
// changes in one compare-and-swap; when another writer (a thread or another process) got there first, it reads again and
// decides again, so the limits hold however many processes share the store. The checks that need the identities
// configuration (roles, who is known) are made by the callers against the snapshot in force.
internal sealed class PairingLedger
{
    internal const string PlatformKind = "pairing.platform";
    internal const string PairedKind = "pairing.paired";
    internal const string PairedKey = "all";
    internal const string LinkKind = "pairing.link";
    internal const string LinkOfKind = "pairing.linkof";

    // How often an operation reads and decides again after losing a race before giving up with a StateStoreException.
    private const int MaxTries = 64;

    private readonly IIdentityStateStore _store;
    private readonly PairingOptions _options;
    private readonly TimeProvider _time;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;

    public PairingLedger(IIdentityStateStore store, PairingOptions options, TimeProvider time, HermesMetrics metrics, ILogger logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public PairingOptions Options => _options;

    // ---- An unknown sender asks ----

    // The resolution of an unknown sender under unknown_senders: pair: never admitted; in a direct chat it carries their
    // pending code (a new one, or the one they were given), unless they asked too recently or too many are pending.
    public async ValueTask<IdentityResolution> RequestAsync(SenderEnvelope sender, IdentitySnapshot snapshot, CancellationToken cancellationToken)
    {
        var principal = sender.Account;
        if (sender.IsAutomated)
        {
            return RefuseRequest(sender, snapshot, "automated",
                "This bot only answers people its owner has approved, and programs (bots, webhooks, relays) are not given pairing codes.");
        }

        if (sender.ChatKind != ChatKind.Direct)
        {
            return RefuseRequest(sender, snapshot, "not_direct",
                "This bot only answers people its owner has approved. To ask for access, send it a direct message.");
        }

        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var now = _time.GetUtcNow();
            var (record, state) = await ReadPlatformAsync(sender.Platform, now, cancellationToken).ConfigureAwait(false);

            var mine = state.Pending.Find(p => string.Equals(p.UserId, sender.UserId, StringComparison.Ordinal) && p.ExpiresAt > now);
            if (mine is not null)
            {
                // Asking again never makes a second code: the same one comes back while it is pending.
                _metrics.PairingRequests.Add(1, new KeyValuePair<string, object?>("outcome", "pending"));
                var again = Request(sender.Platform, mine, isNew: false);
                return IdentityResolution.Rejected(sender, PendingReason(again), snapshot.Revision, again);
            }

            if (state.Recent.Find(r => string.Equals(r.UserId, sender.UserId, StringComparison.Ordinal)) is { } recent)
            {
                return RefuseRequest(sender, snapshot, "rate_limited",
                    $"You asked for access less than {Minutes(_options.RequestInterval)} ago and that request is no longer pending. " +
                    $"Try again after {Clock(recent.At + _options.RequestInterval)} UTC.");
            }

            var live = state.Pending.Count(p => p.ExpiresAt > now);
            if (live >= _options.MaxPendingPerPlatform)
            {
                return RefuseRequest(sender, snapshot, "full",
                    $"Too many people are waiting for the owner's approval on {sender.Platform} right now. Try again later.");
            }

            string code;
            do
            {
                code = ShortCode.New();
            }
            while (state.Pending.Exists(p => p.Code == code) || state.Used.Exists(u => u.Code == code));

            var pending = new PendingCode
            {
                Code = code,
                UserId = sender.UserId,
                DisplayName = sender.DisplayName is { Length: <= 128 } name ? name : null,
                RequestedAt = now,
                ExpiresAt = now + _options.CodeLifetime,
            };
            state.Pending.RemoveAll(p => string.Equals(p.UserId, sender.UserId, StringComparison.Ordinal)); // an expired code of theirs
            state.Pending.Add(pending);
            state.Recent.Add(new SenderMark { UserId = sender.UserId, At = now });
            if (!await CommitAsync(cancellationToken, PutPlatform(sender.Platform, state, record)).ConfigureAwait(false))
            {
                continue; // someone else changed the platform's record: read it again and decide again
            }

            _metrics.PairingRequests.Add(1, new KeyValuePair<string, object?>("outcome", "issued"));
            Log.PairingCodeIssued(_logger, principal, pending.ExpiresAt, live + 1, sender.Platform);
            var issued = Request(sender.Platform, pending, isNew: true);
            return IdentityResolution.Rejected(sender, PendingReason(issued), snapshot.Revision, issued);
        }

        throw Busy(sender.Platform, "a pairing request");
    }

    private IdentityResolution RefuseRequest(SenderEnvelope sender, IdentitySnapshot snapshot, string outcome, string reason)
    {
        _metrics.PairingRequests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _metrics.PairingRefusals.Add(1, new("operation", "request"), new("reason", outcome));
        Log.PairingRequestRefused(_logger, sender.Account, reason);
        return IdentityResolution.Rejected(sender, reason, snapshot.Revision, null);
    }

    private static string PendingReason(PairingRequest request) =>
        $"This bot only answers people its owner has approved. Your pairing code is {request.Code}: ask the owner to approve code {request.Code} " +
        $"on {request.Platform} (it expires at {Clock(request.ExpiresAt)} UTC). You will be let in from your next message after that.";

    // ---- An administrator approves, denies, revokes, lists ----

    // Approves `typedCode` on `platform`: `apply` adds the requester's account to the paired people (a new person or a
    // link), or throws a PairingException for a target that is not allowed (checked again on every retry, against the
    // paired accounts just read).
    public async ValueTask<PairedAccount> ApproveAsync(string platform, string typedCode, string actor, Func<PairedPeople, PendingCode, DateTimeOffset, PairedAccount> apply, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var now = _time.GetUtcNow();
            var (record, state) = await ReadPlatformAsync(platform, now, cancellationToken).ConfigureAwait(false);
            var pending = await FindPendingAsync("approve", platform, typedCode, actor, record, state, now, cancellationToken).ConfigureAwait(false);
            if (pending is null)
            {
                continue; // a failure was being recorded and someone else wrote first
            }

            var (peopleRecord, people) = await ReadPeopleAsync(cancellationToken).ConfigureAwait(false);
            PairedAccount result;
            try
            {
                result = apply(people, pending, now);
            }
            catch (PairingException ex)
            {
                throw Counted("approve", platform, actor, ex);
            }

            state.Pending.Remove(pending);
            state.Used.Add(new UsedCode { Code = pending.Code, At = now });
            if (!await CommitAsync(cancellationToken, PutPlatform(platform, state, record), PutPeople(people, peopleRecord)).ConfigureAwait(false))
            {
                continue;
            }

            _metrics.PairingApprovals.Add(1, new KeyValuePair<string, object?>("outcome", result.IsLink ? "linked" : "approved"));
            Log.PairingApproved(_logger, actor, result.Account, result.ProfileKey, result.Role ?? "(as configured)");
            return result;
        }

        throw Busy(platform, "an approval");
    }

    public async ValueTask<PairingRequest> DenyAsync(string platform, string typedCode, string actor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var now = _time.GetUtcNow();
            var (record, state) = await ReadPlatformAsync(platform, now, cancellationToken).ConfigureAwait(false);
            var pending = await FindPendingAsync("deny", platform, typedCode, actor, record, state, now, cancellationToken).ConfigureAwait(false);
            if (pending is null)
            {
                continue;
            }

            state.Pending.Remove(pending);
            state.Used.Add(new UsedCode { Code = pending.Code, At = now });
            if (!await CommitAsync(cancellationToken, PutPlatform(platform, state, record)).ConfigureAwait(false))
            {
                continue;
            }

            _metrics.PairingApprovals.Add(1, new KeyValuePair<string, object?>("outcome", "denied"));
            var denied = Request(platform, pending, isNew: false);
            Log.PairingDenied(_logger, actor, denied.Account);
            return denied;
        }

        throw Busy(platform, "a denial");
    }

    // The pending code `typedCode` names on `platform`, or a PairingException. A code that matches nothing is a failed
    // attempt: it is recorded (and may lock the platform) before the exception is thrown; null means that record lost a
    // race and the caller must read again.
    private async ValueTask<PendingCode?> FindPendingAsync(string operation, string platform, string typedCode, string actor, StateRecord? record, PlatformState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.ApprovalLockedUntil is { } until)
        {
            throw Refuse(operation, platform, actor, PairingRefusal.Locked,
                $"Approvals on {platform} are locked until {Clock(until)} UTC after {_options.MaxFailedAttempts} failed attempts. Check the code and the platform, and try again after that.");
        }

        var code = ShortCode.Normalize(typedCode);
        var pending = code is null ? null : state.Pending.Find(p => ShortCode.Same(p.Code, code));
        if (pending is not null && pending.ExpiresAt > now)
        {
            return pending;
        }

        if (pending is not null)
        {
            throw Refuse(operation, platform, actor, PairingRefusal.Expired,
                $"Code {code} expired at {Clock(pending.ExpiresAt)} UTC. The person must send the bot a new message to get a new code.");
        }

        if (code is not null && state.Used.Exists(u => ShortCode.Same(u.Code, code)))
        {
            throw Refuse(operation, platform, actor, PairingRefusal.AlreadyUsed, $"Code {code} was already approved or denied. Codes work once.");
        }

        var elsewhere = code is null ? null : await IssuedOnAsync(platform, code, now, cancellationToken).ConfigureAwait(false);
        state.ApprovalFailures.Add(now);
        var locked = state.ApprovalFailures.Count >= _options.MaxFailedAttempts;
        if (locked)
        {
            state.ApprovalLockedUntil = now + _options.LockoutDuration;
            state.ApprovalFailures.Clear();
        }

        if (!await CommitAsync(cancellationToken, PutPlatform(platform, state, record)).ConfigureAwait(false))
        {
            return null;
        }

        if (locked)
        {
            Log.PairingLocked(_logger, _options.MaxFailedAttempts, "approval", platform, state.ApprovalLockedUntil!.Value);
        }

        var lockNote = locked ? $" Approvals on {platform} are now locked until {Clock(state.ApprovalLockedUntil!.Value)} UTC." : string.Empty;
        throw elsewhere is not null
            ? Refuse(operation, platform, actor, PairingRefusal.WrongPlatform, $"Code {code} was issued on {elsewhere}, not on {platform}: approve it with the platform it was issued on.{lockNote}")
            : Refuse(operation, platform, actor, PairingRefusal.UnknownCode, $"No pending pairing code {(code ?? SenderEnvelope.Printable(typedCode))} on {platform}. Check the code (8 characters) and the platform; list the pending codes to see them.{lockNote}");
    }

    // The platform, other than `platform`, on which `code` is pending, if any.
    private async ValueTask<string?> IssuedOnAsync(string platform, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var record in await _store.ListAsync(PlatformKind, null, cancellationToken).ConfigureAwait(false))
        {
            if (!string.Equals(record.Key, platform, StringComparison.Ordinal)
                && Parse(record, PairingJson.Default.PlatformState).Pending.Exists(p => p.ExpiresAt > now && ShortCode.Same(p.Code, code)))
            {
                return record.Key;
            }
        }

        return null;
    }

    // Removes the paired accounts `select` picks (and people left with none); the count removed, or NotPaired.
    public async ValueTask<int> RevokeAsync(string target, string actor, Func<PairedPeople, int> remove, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var (record, people) = await ReadPeopleAsync(cancellationToken).ConfigureAwait(false);
            var removed = remove(people);
            if (removed == 0)
            {
                throw Refuse("revoke", "-", actor, PairingRefusal.NotPaired,
                    $"{target} was not paired or linked, so there is nothing to revoke. People listed in identities.yaml are removed there.");
            }

            people.People.RemoveAll(p => p.Accounts.Count == 0);
            if (!await CommitAsync(cancellationToken, PutPeople(people, record)).ConfigureAwait(false))
            {
                continue;
            }

            _metrics.PairingApprovals.Add(removed, new KeyValuePair<string, object?>("outcome", "revoked"));
            Log.PairingRevoked(_logger, actor, removed, target);
            return removed;
        }

        throw Busy("-", "a revocation");
    }

    public async ValueTask<IReadOnlyList<PairingRequest>> ListPendingAsync(string? platform, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var requests = new List<PairingRequest>();
        foreach (var record in await _store.ListAsync(PlatformKind, null, cancellationToken).ConfigureAwait(false))
        {
            if (platform is not null && !string.Equals(record.Key, platform, StringComparison.Ordinal))
            {
                continue;
            }

            var state = Parse(record, PairingJson.Default.PlatformState);
            requests.AddRange(state.Pending.Where(p => p.ExpiresAt > now).Select(p => Request(record.Key, p, isNew: false)));
        }

        return [.. requests.OrderBy(r => r.RequestedAt)];
    }

    public async ValueTask<IReadOnlyList<PairedAccount>> ListPairedAsync(CancellationToken cancellationToken)
    {
        var (_, people) = await ReadPeopleAsync(cancellationToken).ConfigureAwait(false);
        return [.. people.People.SelectMany(p => p.Accounts.Select(a => Paired(p, a))).OrderBy(a => a.PairedAt)];
    }

    // ---- Linking ----

    public async ValueTask<LinkCode> CreateLinkCodeAsync(string profileKey, PlatformPrincipal from, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var now = _time.GetUtcNow();
            var code = ShortCode.New();
            var expiresAt = now + _options.LinkCodeLifetime;
            var keepUntil = expiresAt + _options.LinkCodeLifetime; // past its expiry it still answers "expired" for a while
            var open = await _store.GetAsync(LinkOfKind, profileKey, cancellationToken).ConfigureAwait(false);
            var state = new LinkCodeState { Code = code, Profile = profileKey, ExpiresAt = expiresAt };
            var json = JsonSerializer.Serialize(state, PairingJson.Default.LinkCodeState);
            var changes = new List<StateChange>
            {
                StateChange.Put(LinkKind, code, json, 0, keepUntil),
                StateChange.Put(LinkOfKind, profileKey, json, open?.Version ?? 0, keepUntil),
            };

            // One open code per person: a new one retires the last, so nobody can fill the store with live codes.
            if (open is not null && Parse(open, PairingJson.Default.LinkCodeState).Code is { Length: > 0 } old && old != code)
            {
                changes.Add(StateChange.Delete(LinkKind, old, null));
            }

            if (!await CommitAsync(cancellationToken, [.. changes]).ConfigureAwait(false))
            {
                continue;
            }

            _metrics.PairingLinks.Add(1, new KeyValuePair<string, object?>("outcome", "code_created"));
            Log.LinkCodeCreated(_logger, profileKey, from, expiresAt);
            return new LinkCode(code, profileKey, expiresAt);
        }

        throw Busy(from.Platform, "a link code");
    }

    // Links the sender's account to the person whose code it is; `check` refuses a person who is no longer known.
    public async ValueTask<PairedAccount> LinkAsync(SenderEnvelope sender, string typedCode, Action<string> check, CancellationToken cancellationToken)
    {
        var platform = sender.Platform;
        var who = sender.Principal;
        for (var attempt = 0; attempt < MaxTries; attempt++)
        {
            var now = _time.GetUtcNow();
            var (record, state) = await ReadPlatformAsync(platform, now, cancellationToken).ConfigureAwait(false);
            if (state.LinkLockedUntil is { } until)
            {
                throw Refuse("link", platform, who, PairingRefusal.Locked,
                    $"Linking from {platform} is locked until {Clock(until)} UTC after {_options.MaxFailedAttempts} failed attempts. Try again after that.");
            }

            if (state.LinkRetries.Find(r => string.Equals(r.UserId, sender.UserId, StringComparison.Ordinal)) is { } retry)
            {
                throw Refuse("link", platform, who, PairingRefusal.RateLimited,
                    $"Your last link attempt failed; try again after {Clock(retry.At + _options.LinkRetryInterval)} UTC.");
            }

            var code = ShortCode.Normalize(typedCode);
            var linkRecord = code is null ? null : await _store.GetAsync(LinkKind, code, cancellationToken).ConfigureAwait(false);
            if (linkRecord?.ExpiresAt <= now)
            {
                linkRecord = null; // past the time it matters: as good as gone
            }

            if (linkRecord is null)
            {
                state.LinkFailures.Add(now);
                if (_options.LinkRetryInterval > TimeSpan.Zero)
                {
                    state.LinkRetries.Add(new SenderMark { UserId = sender.UserId, At = now });
                }

                var locked = state.LinkFailures.Count >= _options.MaxFailedAttempts;
                if (locked)
                {
                    state.LinkLockedUntil = now + _options.LockoutDuration;
                    state.LinkFailures.Clear();
                }

                if (!await CommitAsync(cancellationToken, PutPlatform(platform, state, record)).ConfigureAwait(false))
                {
                    continue;
                }

                if (locked)
                {
                    Log.PairingLocked(_logger, _options.MaxFailedAttempts, "link", platform, state.LinkLockedUntil!.Value);
                }

                throw Refuse("link", platform, who, PairingRefusal.UnknownCode,
                    $"No link code {(code ?? SenderEnvelope.Printable(typedCode))}. Check it (8 characters), or ask for a new one from the account you are already known on.");
            }

            var link = Parse(linkRecord, PairingJson.Default.LinkCodeState);
            if (link.Used)
            {
                throw Refuse("link", platform, who, PairingRefusal.AlreadyUsed, $"Link code {code} was already used. Codes work once: ask for a new one.");
            }

            if (link.ExpiresAt <= now)
            {
                throw Refuse("link", platform, who, PairingRefusal.Expired, $"Link code {code} expired at {Clock(link.ExpiresAt)} UTC: ask for a new one.");
            }

            try
            {
                check(link.Profile);
            }
            catch (PairingException ex)
            {
                throw Counted("link", platform, who, ex);
            }

            var (peopleRecord, people) = await ReadPeopleAsync(cancellationToken).ConfigureAwait(false);
            if (people.FindAccount(platform, sender.UserId) is { } holder)
            {
                throw Refuse("link", platform, who, PairingRefusal.AccountTaken, $"{who} already belongs to {holder.Key}; an account belongs to one person.");
            }

            var person = people.Find(link.Profile);
            if (person is null)
            {
                person = new PairedPerson { Key = link.Profile };
                people.People.Add(person);
            }

            var entry = new PairedAccountEntry { Platform = platform, UserId = sender.UserId, By = link.Profile, At = now, IsLink = true };
            person.Accounts.Add(entry);
            link.Used = true;
            var changes = new[]
            {
                StateChange.Put(LinkKind, linkRecord.Key, JsonSerializer.Serialize(link, PairingJson.Default.LinkCodeState), linkRecord.Version, linkRecord.ExpiresAt),
                PutPeople(people, peopleRecord),
            };
            if (!await CommitAsync(cancellationToken, changes).ConfigureAwait(false))
            {
                continue;
            }

            _metrics.PairingLinks.Add(1, new KeyValuePair<string, object?>("outcome", "linked"));
            Log.AccountLinked(_logger, sender.Account, link.Profile);
            return Paired(person, entry);
        }

        throw Busy(platform, "a link");
    }

    // ---- Records ----

    public async ValueTask<(StateRecord? Record, PairedPeople People)> ReadPeopleAsync(CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(PairedKind, PairedKey, cancellationToken).ConfigureAwait(false);
        return (record, record is null ? new PairedPeople() : Parse(record, PairingJson.Default.PairedPeople));
    }

    internal static PairedPeople ParsePeople(StateRecord record) => Parse(record, PairingJson.Default.PairedPeople);

    internal static PairedAccount Paired(PairedPerson person, PairedAccountEntry entry) =>
        new(entry.Principal.ToString(), person.Key, person.Role, entry.IsLink, entry.By, entry.At);

    private async ValueTask<(StateRecord? Record, PlatformState State)> ReadPlatformAsync(string platform, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(PlatformKind, platform, cancellationToken).ConfigureAwait(false);
        var state = record is null ? new PlatformState() : Parse(record, PairingJson.Default.PlatformState);
        state.Prune(now, _options);
        return (record, state);
    }

    private static StateChange PutPlatform(string platform, PlatformState state, StateRecord? record) =>
        StateChange.Put(PlatformKind, platform, JsonSerializer.Serialize(state, PairingJson.Default.PlatformState), record?.Version ?? 0);

    private static StateChange PutPeople(PairedPeople people, StateRecord? record) =>
        StateChange.Put(PairedKind, PairedKey, JsonSerializer.Serialize(people, PairingJson.Default.PairedPeople), record?.Version ?? 0);

    private ValueTask<bool> CommitAsync(CancellationToken cancellationToken, params StateChange[] changes) => _store.TryCommitAsync(changes, cancellationToken);

    private static T Parse<T>(StateRecord record, JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(record.Data, type)
                ?? throw new StateStoreException($"The state record {record} is empty; the pairing state is damaged. Restore the state database from a backup, or delete that record to start over.");
        }
        catch (JsonException ex)
        {
            throw new StateStoreException($"The state record {record} is not valid pairing state ({ex.Message}). Restore the state database from a backup, or delete that record to start over.", ex);
        }
    }

    private static PairingRequest Request(string platform, PendingCode pending, bool isNew) =>
        new(platform, pending.Code, new PlatformPrincipal(platform, pending.UserId).ToString(), pending.DisplayName, pending.RequestedAt, pending.ExpiresAt, isNew);

    // ---- Refusals: each is counted and logged, then thrown ----

    internal PairingException Refuse(string operation, string platform, string actor, PairingRefusal reason, string message)
    {
        _metrics.PairingRefusals.Add(1, new("operation", operation), new("reason", ReasonTag(reason)));
        Log.PairingRefused(_logger, operation, platform, actor, reason, message);
        return new PairingException(reason, message);
    }

    // A policy refusal (no identity.admin, no turn): the caller throws AccessDeniedException.
    internal void CountDenied(string operation, string platform, string actor, string message)
    {
        _metrics.PairingRefusals.Add(1, new("operation", operation), new("reason", "access_denied"));
        Log.PairingAccessDenied(_logger, operation, platform, actor, message);
    }

    private PairingException Counted(string operation, string platform, string actor, PairingException ex) => Refuse(operation, platform, actor, ex.Reason, ex.Message);

    internal static string ReasonTag(PairingRefusal reason) => reason switch
    {
        PairingRefusal.UnknownCode => "unknown_code",
        PairingRefusal.Expired => "expired",
        PairingRefusal.AlreadyUsed => "already_used",
        PairingRefusal.WrongPlatform => "wrong_platform",
        PairingRefusal.Locked => "locked",
        PairingRefusal.RateLimited => "rate_limited",
        PairingRefusal.RoleNotAllowed => "role_not_allowed",
        PairingRefusal.UnknownRole => "unknown_role",
        PairingRefusal.ProfileKeyTaken => "profile_key_taken",
        PairingRefusal.UnknownProfile => "unknown_profile",
        PairingRefusal.AccountTaken => "account_taken",
        PairingRefusal.NotPaired => "not_paired",
        PairingRefusal.NotDirectChat => "not_direct",
        PairingRefusal.NotKnown => "not_known",
        PairingRefusal.Automated => "automated",
        _ => "other",
    };

    private static StateStoreException Busy(string platform, string what) =>
        new($"The pairing state of {platform} kept changing while {what} was being written ({MaxTries} tries): too many writers at once. Try again.");

    private static string Clock(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1
        ? $"{span.TotalMinutes:0.#} minute{(span.TotalMinutes == 1 ? string.Empty : "s")}"
        : $"{span.TotalSeconds:0} seconds";
}
