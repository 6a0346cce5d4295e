using System.Collections.Concurrent;
using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Internal;
using Hermes.Identity.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Budgets;

/// <summary>
/// The budgets of identities.yaml in force: counts each person's turns, tool calls and model tokens per UTC hour and
/// day, refuses what would go past a limit, and keeps the counts in the state store. The library charges turns
/// (<c>ITurnScopeFactory.BeginTurn</c>) and tool calls (<c>PolicyEngine.AuthorizeToolCallAsync</c>) itself; an agent-stack
/// adapter asks <see cref="CheckModelCall"/> before each model call and reports the tokens the model used with
/// <see cref="RecordTokens(long)"/>. A singleton of <c>AddHermesIsolation</c>: get it from the service provider.
/// </summary>
/// <remarks>
/// <para>Counts are exact within a process: concurrent callers never take more than a limit between them. They are
/// written to the state store at most every second and when the service provider is disposed; a crash loses what was
/// counted since the last write (up to about a second's worth), so after a crash a person may get up to that much more.</para>
/// <para>Several processes sharing one store each add what they counted to the stored counts (compare-and-swap) and
/// take in what the others counted, every second; across processes a limit may be exceeded by at most what the other
/// processes counted since they last wrote (about a second's worth of their traffic).</para>
/// </remarks>
public sealed class BudgetLedger : IAsyncDisposable, IDisposable
{
    /// <summary>How often counts are written to the state store.</summary>
    internal static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    internal const string NoStoreMessage =
        "identities.yaml sets budgets, and budget counters are kept in the identity state store, but none is registered: " +
        "call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore.";

    private static readonly PolicyDecision NoTurnAllowed = PolicyDecision.Allow("No turn is in progress, so no person's budget applies.");
    private static readonly PolicyDecision TokensAllowed = PolicyDecision.Allow("No token budget of this person is used up.");

    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly IIdentityStateStore? _store;
    private readonly TimeProvider _time;
    private readonly HermesMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ProfileCounters> _profiles = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private readonly Lock _timerLock = new();
    private BudgetPlan? _plan;
    private CurrentWindows? _windows;
    private ITimer? _timer;
    private long _lastSequence = -1;
    private int _disposed;

    internal BudgetLedger(IIdentitySnapshotProvider snapshots, IIdentityStateStore? store, TimeProvider time, HermesMetrics metrics, ILoggerFactory? loggerFactory = null)
    {
        _snapshots = snapshots;
        _store = store;
        _time = time;
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Budgets");
    }

    /// <summary>
    /// Whether the current turn's person may call the model now: a deny, whose reason names the budget and when it
    /// resets, once a token budget of theirs is used up; an allow otherwise, and outside a turn. Ask it before each model
    /// call; refuse the call on a deny (the M.E.AI adapter throws <see cref="AccessDeniedException"/> with this decision).
    /// </summary>
    /// <exception cref="InvalidOperationException">Budgets are configured but no state store is registered.</exception>
    /// <exception cref="StateStoreException">The person's counters could not be read from the state store.</exception>
    public PolicyDecision CheckModelCall()
    {
        if (AmbientTurn.Peek() is not { } turn)
        {
            return NoTurnAllowed;
        }

        var budget = BudgetOf(turn);
        if (budget.Tokens.Length == 0)
        {
            return TokensAllowed;
        }

        var now = _time.GetUtcNow();
        foreach (var cell in budget.Tokens)
        {
            var window = BudgetClock.Index(cell.Window, now);
            var used = cell.Count.Read(window);
            if (used >= cell.Limit)
            {
                return Refuse(budget, cell, used, window, "a model call");
            }
        }

        return TokensAllowed;
    }

    /// <summary>
    /// Counts <paramref name="tokens"/> model tokens (input and output: the usage's total) against the token budgets of
    /// the current turn's person. Tokens already used are always counted, even past a limit; the next
    /// <see cref="CheckModelCall"/> is then refused. Nothing is counted for a person without a token budget.
    /// </summary>
    /// <param name="tokens">The tokens one model call used, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is negative.</exception>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow: there is nobody to charge.</exception>
    /// <exception cref="InvalidOperationException">Budgets are configured but no state store is registered.</exception>
    /// <exception cref="StateStoreException">The person's counters could not be read from the state store.</exception>
    public void RecordTokens(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        RecordTokens(
            AmbientTurn.Peek() ?? throw new NoActiveTurnException(
                "Tokens are counted for the person of the turn in progress, and no turn is in progress on this async flow. Record a model call's usage inside the turn that made it, or pass that turn's context."),
            tokens);
    }

    /// <summary>
    /// Counts <paramref name="tokens"/> model tokens against the token budgets of <paramref name="turn"/>'s person, whether
    /// or not that turn is still in progress: for usage that arrives after the turn's code moved on (the end of a streamed
    /// response read late). See <see cref="RecordTokens(long)"/>.
    /// </summary>
    /// <param name="turn">The turn whose model call used the tokens.</param>
    /// <param name="tokens">The tokens one model call used, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Budgets are configured but no state store is registered.</exception>
    /// <exception cref="StateStoreException">The person's counters could not be read from the state store.</exception>
    public void RecordTokens(TurnContext turn, long tokens)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (tokens == 0)
        {
            return;
        }

        var budget = BudgetOf(turn);
        if (budget.Tokens.Length == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var cell in budget.Tokens)
        {
            cell.Count.Add(BudgetClock.Index(cell.Window, now), tokens);
        }
    }

    /// <summary>
    /// Every budget in force for profile <paramref name="profileKey"/> (a configured person or an admitted guest) under
    /// the configuration in force, with what was used in the current window and when it resets: for an operator's
    /// "how much has Mei used today". Empty when no budget applies to that profile.
    /// </summary>
    /// <param name="profileKey">The profile key, such as <c>mei</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ArgumentException"><paramref name="profileKey"/> is not a valid profile key.</exception>
    /// <exception cref="InvalidOperationException">Budgets are configured but no state store is registered.</exception>
    /// <exception cref="StateStoreException">The counters could not be read from the state store.</exception>
    public async ValueTask<IReadOnlyList<BudgetUsage>> GetUsageAsync(string profileKey, CancellationToken cancellationToken = default)
    {
        ProfileKey.ThrowIfInvalid(profileKey);
        var plan = CurrentPlan();
        AgentProfile? profile = plan.Snapshot.Profiles.TryGetValue(profileKey, out var configured)
            ? configured
            : profileKey.StartsWith(ProfileKey.GuestPrefix, StringComparison.Ordinal)
                ? new AgentProfile(profileKey, BuiltInRoles.Guest, plan.Snapshot.Root) { IsGuest = true }
                : null;
        if (profile is null || plan.LimitsFor(profile) is null)
        {
            return [];
        }

        await LoadAsync(profileKey, cancellationToken).ConfigureAwait(false);
        var budget = For(plan, profile);
        var now = _time.GetUtcNow();
        return [.. budget.AllCells.Select(cell =>
        {
            var window = BudgetClock.Index(cell.Window, now);
            return new BudgetUsage(cell.Counter, cell.Window, cell.Limit, cell.Count.Read(window), BudgetClock.End(cell.Window, window));
        })];
    }

    // Writes the counts and stops counting. Called when the service provider is disposed.
    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopTimer();
        await FlushQuietlyAsync().ConfigureAwait(false);
    }

    // Writes the counts and stops counting. Called when the service provider is disposed.
    void IDisposable.Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopTimer();
        FlushQuietlyAsync().GetAwaiter().GetResult();
    }

    // ---- what the library charges itself ----

    /// <summary>Loads the counters a turn of <paramref name="profile"/> will need, without blocking (RunTurnAsync).</summary>
    internal async ValueTask PrepareAsync(AgentProfile profile, CancellationToken cancellationToken)
    {
        var plan = CurrentPlan();
        if (!plan.IsEmpty && plan.LimitsFor(profile) is not null)
        {
            await LoadAsync(profile.Key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Counts a turn as it begins; an exhausted turn budget refuses it.</summary>
    /// <exception cref="AccessDeniedException">A turn budget is used up: the decision says which and when it resets.</exception>
    internal void ChargeTurn(TurnContext turn)
    {
        var budget = BudgetOf(turn);
        if (budget.Turns.Length == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (!TryTake(budget.Turns, now, out var refused, out var used))
        {
            var decision = Refuse(budget, refused, used, BudgetClock.Index(refused.Window, now), "a turn");
            throw new AccessDeniedException("turn", turn.Profile.Key, decision, "Turn refused");
        }
    }

    /// <summary>
    /// Counts an allowed tool call of <paramref name="action"/> against the person's tool budgets: <paramref name="allowed"/>
    /// when every budget it draws on has room (and each is counted), else a deny (and none is counted). Allocation-free
    /// on the allow path: the turn keeps the person's compiled budgets for the role table in force.
    /// </summary>
    internal PolicyDecision ChargeToolCall(TurnContext turn, RoleTable table, string action, PolicyDecision allowed)
    {
        if (turn.Budget is not ProfileBudget budget || !ReferenceEquals(budget.Table, table))
        {
            try
            {
                budget = BudgetOf(turn);
            }
            catch (StateStoreException ex)
            {
                Log.BudgetLoadFailed(_logger, turn.Profile.Key, ex.Message);
                return PolicyDecision.Deny($"The budget counters of {turn.Profile.Key} could not be read from the identity state store, so tool calls are refused until it is back: {ex.Message}", allowed.Revision);
            }
        }

        if (budget.Tools is not { } tools || !tools.TryGetValue(action, out var cells))
        {
            return allowed;
        }

        var now = _time.GetUtcNow();
        if (TryTake(cells, now, out var refused, out var used))
        {
            return allowed;
        }

        return Refuse(budget, refused, used, BudgetClock.Index(refused.Window, now), action);
    }

    /// <summary>Writes what this process counted to the state store and takes in what others counted. Once at a time.</summary>
    internal Task FlushAsync(CancellationToken cancellationToken = default) => FlushAsync(wait: true, cancellationToken);

    private async Task FlushAsync(bool wait, CancellationToken cancellationToken)
    {
        if (_store is null || _profiles.IsEmpty)
        {
            return;
        }

        if (!wait)
        {
            if (!_flushLock.Wait(0, CancellationToken.None))
            {
                return; // the timer's tick while a flush is running: that flush writes it
            }
        }
        else
        {
            await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var sequence = await _store.GetSequenceAsync(cancellationToken).ConfigureAwait(false);
            Dictionary<string, StateRecord>? listed = null;
            if (sequence != _lastSequence)
            {
                var records = await _store.ListAsync(BudgetRecord.Kind, null, cancellationToken).ConfigureAwait(false);
                listed = records.ToDictionary(r => r.Key, StringComparer.Ordinal);
            }

            foreach (var counters in _profiles.Values)
            {
                if (!counters.IsLoaded)
                {
                    continue;
                }

                // Listed: the record as it is now (absent when not listed); not listed: nobody wrote since the last flush.
                StateRecord? record = null;
                var known = listed is not null;
                if (known)
                {
                    listed!.TryGetValue(counters.ProfileKey, out record);
                }

                var changedHere = counters.Counters.Any(HasLocalCounts);
                var changedThere = known && (record?.Version ?? 0) != counters.Version;
                if (changedHere || changedThere)
                {
                    await SyncAsync(counters, record, known, cancellationToken).ConfigureAwait(false);
                }
            }

            _lastSequence = sequence;
        }
        finally
        {
            _flushLock.Release();
        }
    }

    // ---- inside ----

    private BudgetPlan CurrentPlan()
    {
        var snapshot = _snapshots.Current;
        var plan = Volatile.Read(ref _plan);
        if (plan is null || !ReferenceEquals(plan.Snapshot, snapshot))
        {
            plan = new BudgetPlan(snapshot);
            Volatile.Write(ref _plan, plan);
        }

        return plan;
    }

    // The person's compiled budgets under the configuration in force, kept on the turn.
    private ProfileBudget BudgetOf(TurnContext turn)
    {
        var plan = CurrentPlan();
        if (turn.Budget is ProfileBudget kept && ReferenceEquals(kept.Plan, plan))
        {
            return kept;
        }

        var budget = For(plan, turn.Profile);
        turn.Budget = budget;
        return budget;
    }

    // Without budgets in force this allocates nothing (every turn of every message comes here): the lambda that
    // compiles a person's budgets lives in Compile, so its closure is made only when there is something to compile.
    private ProfileBudget For(BudgetPlan plan, AgentProfile profile) =>
        plan.IsEmpty ? plan.None : Compile(plan, profile);

    private ProfileBudget Compile(BudgetPlan plan, AgentProfile profile) =>
        plan.GetOrAdd(profile.Key, () =>
        {
            if (plan.LimitsFor(profile) is not { } limits)
            {
                return plan.None;
            }

            var counters = Loaded(profile.Key);
            return plan.Compile(limits.Subject, limits.ProfileKey, limits.Limits, counters);
        });

    // The person's counters, loaded from the store; blocks the first time (BeginTurn is synchronous; RunTurnAsync loads first).
    private ProfileCounters Loaded(string profileKey)
    {
        var store = _store ?? throw new InvalidOperationException(NoStoreMessage);
        var counters = _profiles.GetOrAdd(profileKey, static key => new ProfileCounters(key));
        if (!counters.IsLoaded)
        {
            counters.LoadAsync(store).GetAwaiter().GetResult();
            StartTimer();
        }

        return counters;
    }

    private async ValueTask LoadAsync(string profileKey, CancellationToken cancellationToken)
    {
        var store = _store ?? throw new InvalidOperationException(NoStoreMessage);
        var counters = _profiles.GetOrAdd(profileKey, static key => new ProfileCounters(key));
        if (!counters.IsLoaded)
        {
            await counters.LoadAsync(store).WaitAsync(cancellationToken).ConfigureAwait(false);
            StartTimer();
        }
    }

    // Takes 1 from every cell, or from none: a cell without room undoes the ones taken before it.
    private bool TryTake(BudgetCell[] cells, DateTimeOffset now, out BudgetCell refused, out long used)
    {
        var windows = WindowsAt(now);
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            if (!cell.Count.TryAdd(cell.Window == BudgetWindow.Hour ? windows.Hour : windows.Day, 1, cell.Limit, out used))
            {
                for (var j = 0; j < i; j++)
                {
                    cells[j].Count.Remove(cells[j].Window == BudgetWindow.Hour ? windows.Hour : windows.Day, 1);
                }

                refused = cell;
                return false;
            }
        }

        refused = null!;
        used = 0;
        return true;
    }

    // The hour and day indices of now, kept for the current hour: a decision compares two numbers instead of dividing.
    private CurrentWindows WindowsAt(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        var windows = Volatile.Read(ref _windows);
        if (windows is null || ticks < windows.Start || ticks >= windows.End)
        {
            windows = new CurrentWindows(now);
            Volatile.Write(ref _windows, windows);
        }

        return windows;
    }

    private PolicyDecision Refuse(ProfileBudget budget, BudgetCell cell, long used, long window, string what)
    {
        var counted = cell.Counter switch
        {
            BudgetKey.Turns => "turns",
            BudgetKey.Tokens => "model tokens",
            "tool.*" => "tool calls",
            var tool => tool + " tool calls",
        };
        var reason = $"The {BudgetClock.Adjective(cell.Window)} budget of {counted} for {budget.Subject} is used up ({used:N0} of {cell.Limit:N0}, set by {cell.Source}). It resets at {BudgetClock.DescribeReset(cell.Window, window)}.";
        if (_metrics.BudgetRefusals.Enabled)
        {
            _metrics.BudgetRefusals.Add(1,
                new KeyValuePair<string, object?>("kind", cell.Counter.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal) ? "tool" : cell.Counter),
                new KeyValuePair<string, object?>("window", cell.Window == BudgetWindow.Hour ? "hour" : "day"));
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.BudgetRefused(_logger, what, budget.ProfileKey, reason);
        }

        return PolicyDecision.Deny(reason, budget.Plan.Snapshot.Revision, [cell.RuleId]);
    }

    private static bool HasLocalCounts(WindowCounter counter)
    {
        var (window, count) = counter.ReadRaw();
        return window != counter.SyncedWindow ? count > 0 : count != counter.SyncedCount;
    }

    // One person's counters against their stored record: add what was counted here, take in what was counted elsewhere.
    // The record changes only by compare-and-swap on its version; on a conflict it is read again and merged again.
    private async Task SyncAsync(ProfileCounters counters, StateRecord? record, bool known, CancellationToken cancellationToken)
    {
        const int attempts = 8;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (!known)
            {
                record = await _store!.GetAsync(BudgetRecord.Kind, counters.ProfileKey, cancellationToken).ConfigureAwait(false);
            }

            known = false; // a retry reads again
            var stored = BudgetRecord.Parse(record?.Data);
            var merged = new Dictionary<string, (long Window, long Count)>(stored, StringComparer.Ordinal);
            var updates = new List<(WindowCounter Counter, long Window, long Count, long External, bool Later)>();
            var write = false;
            foreach (var counter in counters.Counters)
            {
                var (window, count) = counter.ReadRaw();
                var (storedWindow, storedCount) = stored.TryGetValue(counter.StoredName, out var s) ? s : (0L, 0L);
                if (storedWindow > window)
                {
                    updates.Add((counter, storedWindow, storedCount, 0, true)); // the store is in a later window: take it
                    continue;
                }

                var synced = counter.SyncedWindow == window ? counter.SyncedCount : 0;
                var here = count - synced;
                var there = storedWindow == window ? storedCount : 0;
                if (here != 0)
                {
                    merged[counter.StoredName] = (window, Math.Clamp(there + here, 0, WindowCounter.MaxCount));
                    write = true;
                }

                updates.Add((counter, window, count, there - synced, false));
            }

            if (write)
            {
                var expires = merged.Max(m => BudgetClock.End(m.Key.EndsWith("/h", StringComparison.Ordinal) ? BudgetWindow.Hour : BudgetWindow.Day, m.Value.Window));
                var change = StateChange.Put(BudgetRecord.Kind, counters.ProfileKey, BudgetRecord.Write(merged), record?.Version ?? 0, expires);
                if (!await _store!.TryCommitAsync([change], cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                counters.Version = -1; // this process wrote it; the next listing tells the version
            }
            else
            {
                counters.Version = record?.Version ?? 0;
            }

            foreach (var (counter, window, count, external, later) in updates)
            {
                if (later)
                {
                    if (counter.AdoptLaterWindow(window, count))
                    {
                        counter.SyncedWindow = window;
                        counter.SyncedCount = count;
                    }

                    continue;
                }

                counter.SyncedWindow = window;
                counter.SyncedCount = Math.Clamp(count + external, 0, WindowCounter.MaxCount);
                counter.AddExternal(window, external);
            }

            return;
        }

        throw new StateStoreException($"The budget counters of {counters.ProfileKey} changed in the state store {attempts} times while this process was adding its counts; they stay counted here and are written at the next flush.");
    }

    private void StartTimer()
    {
        if (Volatile.Read(ref _timer) is not null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        lock (_timerLock)
        {
            _timer ??= _time.CreateTimer(static state => _ = ((BudgetLedger)state!).FlushQuietlyAsync(wait: false), this, FlushInterval, FlushInterval);
        }
    }

    private void StopTimer()
    {
        lock (_timerLock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private async Task FlushQuietlyAsync(bool wait = true)
    {
        try
        {
            await FlushAsync(wait, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StateStoreException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.BudgetFlushFailed(_logger, ex, ex.Message);
        }
    }
}
