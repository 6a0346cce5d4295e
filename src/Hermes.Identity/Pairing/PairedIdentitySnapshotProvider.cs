using Hermes.Identity.Internal;
using Hermes.Identity.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Hermes.Identity.Pairing;

// The snapshot in force when a state store is registered: identities.yaml (the configured provider) with the people
// paired and the accounts linked at run time added, under the revision "<yaml revision>+p<version of the paired record>".
// identities.yaml is the source of truth: a configured account or profile key wins over a paired one, and each conflict
// is logged once per revision (a merge is made once per yaml snapshot and paired record).
//
// Changes made in this process are merged as soon as they are committed (Pairings refreshes after each write). Changes
// made by another process sharing the store are seen when the store's change token fires (a PostgreSQL NOTIFY), and at
// the latest within RefreshInterval (1 s by default): a timer compares the
// store's sequence with the last one seen and reads the paired record again only when it moved; the resolver also
// refreshes before resolving when the last read is older than that. Current itself never touches the store, so a policy
// decision costs what it did. A failed read is logged and keeps the snapshot in force until the next one succeeds.
internal sealed class PairedIdentitySnapshotProvider : IIdentitySnapshotProvider, IDisposable
{
    private readonly IIdentitySnapshotProvider _configured;
    private readonly IIdentityStateStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _mergeLock = new();
    private readonly ITimer _timer;
    private readonly IDisposable _configuredChanges;
    private readonly IDisposable _storeChanges;
    private Paired? _paired;            // the paired record last read; null until the first read
    private Merged? _merged;            // the snapshot in force and what it was made from
    private long _seenSequence = -1;
    private long _lastRefresh;          // TimeProvider timestamp of the last read of the sequence
    private bool _failing;
    private CancellationTokenSource _reloadSignal = new();

    public PairedIdentitySnapshotProvider(IIdentitySnapshotProvider configured, IIdentityStateStore store, PairingOptions options, TimeProvider time, ILogger logger)
    {
        _configured = configured;
        _store = store;
        _time = time;
        _interval = options.RefreshInterval;
        _logger = logger;
        _configuredChanges = ChangeToken.OnChange(configured.GetReloadToken, () => _ = Current);
        _timer = time.CreateTimer(static state => ((PairedIdentitySnapshotProvider)state!).RefreshFromTimer(), this, _interval, _interval);
        _storeChanges = ChangeToken.OnChange(store.GetChangeToken, RefreshFromStoreSignal);
    }

    public IdentitySnapshot Current
    {
        get
        {
            var configured = _configured.Current;
            var merged = Volatile.Read(ref _merged);
            return merged is not null && ReferenceEquals(merged.Configured, configured) ? merged.Snapshot : Merge(configured, Volatile.Read(ref _paired) ?? ReadFirst());
        }
    }

    public IChangeToken GetReloadToken() => new CancellationChangeToken(Volatile.Read(ref _reloadSignal).Token);

    // Reads the paired record again if the store changed since the last read and that read is older than the refresh
    // interval (or always, when `force`): what the resolver calls before resolving, and Pairings after writing.
    public async ValueTask RefreshAsync(bool force, CancellationToken cancellationToken = default)
    {
        if (!force && _time.GetElapsedTime(Volatile.Read(ref _lastRefresh)) < _interval)
        {
            return;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!force && _time.GetElapsedTime(Volatile.Read(ref _lastRefresh)) < _interval)
            {
                return; // another caller just did
            }

            Volatile.Write(ref _lastRefresh, _time.GetTimestamp());
            var sequence = await _store.GetSequenceAsync(cancellationToken).ConfigureAwait(false);
            _failing = false;
            if (sequence == _seenSequence && _paired is not null)
            {
                return;
            }

            var record = await _store.GetAsync(PairingLedger.PairedKind, PairingLedger.PairedKey, cancellationToken).ConfigureAwait(false);
            _seenSequence = sequence;
            var known = Volatile.Read(ref _paired);
            if (known is not null && known.Version == (record?.Version ?? 0))
            {
                return;
            }

            Volatile.Write(ref _paired, Read(record));
            _ = Merge(_configured.Current, Volatile.Read(ref _paired)!);
        }
        finally
        {
            _refresh.Release();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _configuredChanges.Dispose();
        _storeChanges.Dispose();
    }

    // RefreshAsync for callers that must not fail because the store cannot be read right now (the resolver, and Pairings
    // after a write that did commit): the failure is logged once per streak and the snapshot in force stays.
    public async ValueTask TryRefreshAsync(bool force, CancellationToken cancellationToken = default)
    {
        try
        {
            await RefreshAsync(force, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StateStoreException or ObjectDisposedException)
        {
            ReportFailure(ex);
        }
    }

    // The store says the paired record may have changed (another replica revoked a pairing): read it now, not at the
    // next tick. Only the store's sequence is read when nothing moved.
    private async void RefreshFromStoreSignal()
    {
        try
        {
            await RefreshAsync(force: true).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an exception escaping an async void callback would end the process
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReportFailure(ex);
        }
    }

    private async void RefreshFromTimer()
    {
        // A timer callback must never throw: whatever fails is logged, and the next tick tries again.
        try
        {
            await RefreshAsync(force: false).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an exception escaping an async void callback would end the process
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ReportFailure(ex);
        }
    }

    private void ReportFailure(Exception ex)
    {
        if (!_failing)
        {
            _failing = true;
            Log.PairedAccountsRefreshFailed(_logger, Volatile.Read(ref _merged)?.Snapshot.Revision ?? "(none)", ex);
        }
    }

    // The first read, when the snapshot is first asked for (at start-up, by the start-up check): synchronous, once.
    private Paired ReadFirst()
    {
        _refresh.Wait();
        try
        {
            if (Volatile.Read(ref _paired) is { } paired)
            {
                return paired;
            }

            var sequence = Wait(_store.GetSequenceAsync());
            var record = Wait(_store.GetAsync(PairingLedger.PairedKind, PairingLedger.PairedKey));
            _seenSequence = sequence;
            Volatile.Write(ref _lastRefresh, _time.GetTimestamp());
            paired = Read(record);
            Volatile.Write(ref _paired, paired);
            return paired;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static T Wait<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static Paired Read(StateRecord? record) => record is null
        ? new Paired(0, [])
        : new Paired(record.Version, PairingLedger.ParsePeople(record).People);

    private IdentitySnapshot Merge(IdentitySnapshot configured, Paired paired)
    {
        CancellationTokenSource? fired = null;
        IdentitySnapshot result;
        lock (_mergeLock)
        {
            var previous = Volatile.Read(ref _merged);
            if (previous is not null && ReferenceEquals(previous.Configured, configured) && previous.Paired.Version >= paired.Version)
            {
                return previous.Snapshot; // someone merged this (or a newer record) already
            }

            // A newer record read by another caller wins over an older one arriving late.
            if (previous is not null && previous.Paired.Version > paired.Version)
            {
                paired = previous.Paired;
            }

            result = Build(configured, paired, out var people);
            Volatile.Write(ref _merged, new Merged(configured, paired, result));
            if (previous is not null && !string.Equals(previous.Snapshot.Revision, result.Revision, StringComparison.Ordinal))
            {
                if (ReferenceEquals(previous.Configured, configured))
                {
                    Log.PairedAccountsChanged(_logger, previous.Snapshot.Revision, result.Revision, people);
                }

                fired = Interlocked.Exchange(ref _reloadSignal, new CancellationTokenSource());
            }
        }

        // Outside the lock: a callback may read Current.
        try
        {
            fired?.Cancel();
        }
        catch (AggregateException ex)
        {
            Log.IdentitiesReloadCallbackFailed(_logger, ex);
        }

        return result;
    }

    // identities.yaml first; then each paired person and linked account that does not clash with it.
    private IdentitySnapshot Build(IdentitySnapshot configured, Paired paired, out int people)
    {
        people = 0;
        if (paired.Version == 0 || configured.IsDenyAll)
        {
            return configured; // nothing paired yet, or the host asked to admit nobody while identities.yaml is invalid
        }

        var revision = configured.Revision + "+p" + paired.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var added = new List<AgentProfile>();
        var claimed = new HashSet<PlatformPrincipal>();
        foreach (var person in paired.People)
        {
            var accounts = new List<PlatformPrincipal>();
            foreach (var entry in person.Accounts)
            {
                var account = entry.Principal;
                if (configured.TryGetProfile(account, out var owner))
                {
                    if (!string.Equals(owner.Key, person.Key, StringComparison.Ordinal))
                    {
                        Log.PairedEntryOverridden(_logger, revision, $"{account} is paired to '{person.Key}' but identities.yaml gives it to '{owner.Key}'; identities.yaml wins. Revoke the pairing to silence this.");
                    }

                    continue;
                }

                if (claimed.Add(account))
                {
                    accounts.Add(account);
                }
            }

            if (person.Role is null)
            {
                // Accounts linked to a person of identities.yaml: they get that person's profile, as configured now.
                if (!configured.Profiles.TryGetValue(person.Key, out var configuredPerson))
                {
                    Log.PairedEntryOverridden(_logger, revision, $"accounts are linked to '{person.Key}', who is no longer in identities.yaml; they are not admitted.");
                    continue;
                }

                if (accounts.Count > 0)
                {
                    added.Add(configuredPerson.WithAccounts(configured.Root, accounts));
                }

                continue;
            }

            if (configured.Profiles.ContainsKey(person.Key))
            {
                Log.PairedEntryOverridden(_logger, revision, $"profile key '{person.Key}' is paired and also in identities.yaml; identities.yaml wins and the paired accounts are not admitted.");
                continue;
            }

            if (!configured.Roles.ContainsKey(person.Role) || string.Equals(person.Role, BuiltInRoles.Owner, StringComparison.Ordinal))
            {
                Log.PairedEntryOverridden(_logger, revision, $"'{person.Key}' was paired with role '{person.Role}', which identities.yaml no longer defines (or which pairing cannot grant); they are not admitted.");
                continue;
            }

            if (accounts.Count > 0 && ProfileKey.IsValid(person.Key))
            {
                added.Add(new AgentProfile(person.Key, person.Role, configured.Root) { Principals = accounts });
            }
        }

        people = added.Count;
        return configured.WithPeople(revision, added);
    }

    private sealed record Paired(long Version, IReadOnlyList<PairedPerson> People);

    private sealed record Merged(IdentitySnapshot Configured, Paired Paired, IdentitySnapshot Snapshot);
}
