using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Hermes.Identity.Directories;

// The snapshot in force with an identity directory: identities.yaml (the configured provider) plus the directory's people,
// under the revision "<yaml revision>+d<directory version>". identities.yaml is the source of truth: a key or account it
// lists wins over the directory's, and each conflict is logged once per merge.
//
// The directory is read whole once (on the first Current), then only its changes: every RefreshInterval (a timer), and
// at once when the directory signals a change made in this process (its change token, handled on the writer's thread,
// so the change is in force when the write returns). A change builds a new snapshot that shares identities.yaml's
// compiled part and the directory's base (DirectoryPeople.Apply): nothing is rebuilt. Current never touches the
// directory, so a decision costs what it did. A failed read is logged and keeps the snapshot in force.
internal sealed class DirectoryIdentitySnapshotProvider : IIdentitySnapshotProvider, IDisposable
{
    private const int MaxConflictsLogged = 20;

    private readonly IIdentitySnapshotProvider _configured;
    private readonly IIdentityDirectory _directory;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _mergeLock = new();
    private readonly ITimer _timer;
    private readonly IDisposable _configuredChanges;
    private readonly IDisposable _directoryChanges;
    private DirectoryPeople? _people;   // the directory as last read; null until the first read
    private Merged? _merged;            // the snapshot in force and what it was made from
    private bool _failing;
    private CancellationTokenSource _reloadSignal = new();

    public DirectoryIdentitySnapshotProvider(IIdentitySnapshotProvider configured, IIdentityDirectory directory, IdentityDirectoryOptions options, TimeProvider time, ILogger logger)
    {
        _configured = configured;
        _directory = directory;
        _logger = logger;
        _configuredChanges = ChangeToken.OnChange(configured.GetReloadToken, () => _ = Current);
        _directoryChanges = ChangeToken.OnChange(directory.GetChangeToken, RefreshNow);
        _timer = time.CreateTimer(static state => ((DirectoryIdentitySnapshotProvider)state!).RefreshFromTimer(), this, options.RefreshInterval, options.RefreshInterval);
    }

    public IdentitySnapshot Current
    {
        get
        {
            var configured = _configured.Current;
            var merged = Volatile.Read(ref _merged);
            return merged is not null && ReferenceEquals(merged.Configured, configured)
                ? merged.Snapshot
                : Merge(configured, Volatile.Read(ref _people) ?? ReadFirst(), null);
        }
    }

    public IChangeToken GetReloadToken() => new CancellationChangeToken(Volatile.Read(ref _reloadSignal).Token);

    /// <summary>Reads what changed in the directory and applies it (a full read when the directory cannot say).</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var people = Volatile.Read(ref _people);
            DirectoryChanges? changes = null;
            DirectoryPeople next;
            if (people is null || (changes = await _directory.GetChangesAsync(people.Version, cancellationToken).ConfigureAwait(false)) is null)
            {
                next = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (changes.Changed.Count == 0 && changes.Removed.Count == 0 && changes.Version <= people.Version)
            {
                _failing = false;
                return;
            }
            else
            {
                next = people.Apply(changes);
            }

            _failing = false;
            Volatile.Write(ref _people, next);
            IdentitySnapshot configured;
            try
            {
                configured = _configured.Current;
            }
            catch (IdentityConfigException)
            {
                return; // nothing is in force yet; the people are merged when identities.yaml is valid
            }

            _ = Merge(configured, next, changes);
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
        _directoryChanges.Dispose();
    }

    // A change made in this process: applied before the writing call returns.
    private void RefreshNow()
    {
        try
        {
            var pending = RefreshAsync();
            if (!pending.IsCompletedSuccessfully)
            {
                pending.AsTask().GetAwaiter().GetResult();
            }
        }
#pragma warning disable CA1031 // the write committed; a failure to follow it is logged and the timer tries again
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
            await RefreshAsync().ConfigureAwait(false);
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
            Log.DirectoryRefreshFailed(_logger, Volatile.Read(ref _merged)?.Snapshot.Revision ?? "(none)", ex);
        }
    }

    private async ValueTask<DirectoryPeople> ReadAllAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var version = await _directory.GetVersionAsync(cancellationToken).ConfigureAwait(false);
        // The lookups are built while the people are read (on a second thread past the first few thousand), sized for
        // the count last read.
        using var builder = new DirectoryPeopleBuilder(Volatile.Read(ref _people)?.Count ?? 0);
        await foreach (var person in _directory.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            builder.Add(person);
        }

        var built = builder.Build(version);
        Log.DirectoryLoaded(_logger, built.Count, version, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return built;
    }

    // The first read, when the snapshot is first asked for (at start-up, by the start-up check): synchronous, once.
    private DirectoryPeople ReadFirst()
    {
        _refresh.Wait();
        try
        {
            if (Volatile.Read(ref _people) is { } people)
            {
                return people;
            }

            var pending = ReadAllAsync(CancellationToken.None);
            people = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            Volatile.Write(ref _people, people);
            return people;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private IdentitySnapshot Merge(IdentitySnapshot configured, DirectoryPeople people, DirectoryChanges? changes)
    {
        CancellationTokenSource? fired = null;
        IdentitySnapshot result;
        lock (_mergeLock)
        {
            var previous = Volatile.Read(ref _merged);
            var sameConfiguration = previous is not null && ReferenceEquals(previous.Configured, configured);
            if (sameConfiguration && previous!.People.Version >= people.Version)
            {
                return previous.Snapshot; // someone merged this (or a newer version) already
            }

            if (previous is not null && previous.People.Version > people.Version)
            {
                people = previous.People; // a newer version read by another caller wins over an older one arriving late
                changes = null;
            }

            if (configured.IsDenyAll)
            {
                result = configured; // the host asked to admit nobody while identities.yaml is invalid
                Volatile.Write(ref _merged, new Merged(configured, people, FrozenSet<string>.Empty, result));
            }
            else
            {
                var revision = configured.Revision + "+d" + people.Version.ToString(CultureInfo.InvariantCulture);
                var shadowed = sameConfiguration && changes is not null
                    ? Shadowed(configured, previous!.Shadowed, changes, revision)
                    : Shadowed(configured, people, revision);
                result = configured.WithDirectory(revision, people, shadowed);
                Volatile.Write(ref _merged, new Merged(configured, people, shadowed, result));
            }

            if (previous is not null && !string.Equals(previous.Snapshot.Revision, result.Revision, StringComparison.Ordinal))
            {
                if (sameConfiguration)
                {
                    Log.DirectoryChanged(_logger, people.Version, changes?.Changed.Count ?? people.Count, changes?.Removed.Count ?? 0, previous.Snapshot.Revision, result.Revision);
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

    // The directory keys identities.yaml also lists (it wins), with every conflict logged: once per configuration and full read.
    private FrozenSet<string> Shadowed(IdentitySnapshot configured, DirectoryPeople people, string revision)
    {
        var shadowed = new HashSet<string>(StringComparer.Ordinal);
        var logged = 0;
        foreach (var (key, profile) in configured.ConfiguredProfiles)
        {
            if (people.TryGetByKey(key, out _))
            {
                shadowed.Add(key);
                Conflict(revision, $"profile key '{key}' is in identities.yaml and in the directory; identities.yaml wins and the directory's entry is not used.", ref logged);
            }

            foreach (var account in profile.Principals)
            {
                if (people.TryGetByAccount(account, out var person) && !string.Equals(person.Key, key, StringComparison.Ordinal))
                {
                    Conflict(revision, $"{account} is '{person.Key}''s in the directory but '{key}''s in identities.yaml; identities.yaml wins.", ref logged);
                }
            }
        }

        var unknown = 0;
        string? example = null;
        foreach (var person in people.People)
        {
            if (!configured.Roles.ContainsKey(person.Role))
            {
                unknown++;
                example ??= $"'{person.Key}' has role '{person.Role}'";
            }
        }

        if (unknown > 0)
        {
            Log.DirectoryEntryOverridden(_logger, revision, $"{unknown} directory people have a role identities.yaml does not define ({example}); they may do nothing until the role is defined or they are given another.");
        }

        if (logged > MaxConflictsLogged)
        {
            Log.DirectoryEntryOverridden(_logger, revision, $"{logged} conflicts between identities.yaml and the directory in all; only the first {MaxConflictsLogged} are logged.");
        }

        return shadowed.Count == 0 ? FrozenSet<string>.Empty : shadowed.ToFrozenSet(StringComparer.Ordinal);
    }

    // The same after a delta: only the people it touches are looked at.
    private FrozenSet<string> Shadowed(IdentitySnapshot configured, FrozenSet<string> previous, DirectoryChanges changes, string revision)
    {
        HashSet<string>? shadowed = null;
        var logged = 0;
        foreach (var key in changes.Removed)
        {
            if (previous.Contains(key))
            {
                (shadowed ??= new HashSet<string>(previous, StringComparer.Ordinal)).Remove(key);
            }
        }

        foreach (var person in changes.Changed)
        {
            if (configured.ConfiguredProfiles.ContainsKey(person.Key))
            {
                if (!previous.Contains(person.Key))
                {
                    (shadowed ??= new HashSet<string>(previous, StringComparer.Ordinal)).Add(person.Key);
                }

                Conflict(revision, $"profile key '{person.Key}' is in identities.yaml and in the directory; identities.yaml wins and the directory's entry is not used.", ref logged);
            }

            foreach (var account in person.Accounts)
            {
                var colon = account.IndexOf(':', StringComparison.Ordinal);
                if (configured.TryGetProfile(account[..colon], account[(colon + 1)..], out var owner) && !string.Equals(owner.Key, person.Key, StringComparison.Ordinal))
                {
                    Conflict(revision, $"{account} is '{person.Key}''s in the directory but '{owner.Key}''s in identities.yaml; identities.yaml wins.", ref logged);
                }
            }

            if (!configured.Roles.ContainsKey(person.Role))
            {
                Log.DirectoryEntryOverridden(_logger, revision, $"'{person.Key}' has role '{person.Role}', which identities.yaml does not define; they may do nothing until the role is defined or they are given another.");
            }
        }

        return shadowed is null ? previous : shadowed.ToFrozenSet(StringComparer.Ordinal);
    }

    private void Conflict(string revision, string message, ref int logged)
    {
        if (++logged <= MaxConflictsLogged)
        {
            Log.DirectoryEntryOverridden(_logger, revision, message);
        }
    }

    private sealed record Merged(IdentitySnapshot Configured, DirectoryPeople People, FrozenSet<string> Shadowed, IdentitySnapshot Snapshot);
}
