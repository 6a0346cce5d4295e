using Hermes.Identity.Budgets;
using Hermes.Identity.Delegations;
using Hermes.Identity.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Turns;

internal sealed class TurnScopeFactory : ITurnScopeFactory
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IIdentityResolver _resolver;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly HermesMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<DelegationRegistry?>? _delegations;
    private readonly BudgetLedger? _budgets;

    public TurnScopeFactory(IServiceScopeFactory scopes, IIdentityResolver resolver, IIdentitySnapshotProvider snapshots, HermesMetrics metrics, TimeProvider time, ILoggerFactory? loggerFactory = null, Func<DelegationRegistry?>? delegations = null, BudgetLedger? budgets = null)
    {
        _delegations = delegations;
        _budgets = budgets;
        _scopes = scopes;
        _resolver = resolver;
        _snapshots = snapshots;
        _metrics = metrics;
        _time = time;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Turns");
    }

    public async Task<IdentityResolution> RunTurnAsync(SenderEnvelope sender, Func<TurnScope, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(body);
        var resolution = await _resolver.ResolveAsync(sender, cancellationToken).ConfigureAwait(false);
        if (!resolution.IsAdmitted)
        {
            return resolution;
        }

        if (_budgets is not null)
        {
            await _budgets.PrepareAsync(resolution.Profile!, cancellationToken).ConfigureAwait(false); // BeginTurn then need not block on the store
        }

        // This method's own async flow holds the turn, so the body sees it whoever called us.
        var turn = BeginTurn(resolution);
        await using (turn.ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await body(turn).ConfigureAwait(false);
        }

        return resolution;
    }

    public TurnScope BeginTurn(IdentityResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var profile = Admit(resolution, out var revision);
        return Begin(new TurnContext(profile, resolution.Sender, revision, _time.GetUtcNow()));
    }

    public async Task<Delegation> RunDelegatedTurnAsync(string delegationId, Func<TurnScope, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(delegationId);
        ArgumentNullException.ThrowIfNull(body);
        var registry = _delegations?.Invoke() ?? throw new InvalidOperationException(
            "Delegated turns need the delegation registry, which AddHermesIsolation registers; this factory was built without it.");
        var caller = CurrentTurnAccessor.Peek();
        var admitted = await registry.AdmitAsync(delegationId, caller, cancellationToken).ConfigureAwait(false);
        if (caller is null)
        {
            return await RunDelegatedAsync(admitted, body, cancellationToken).ConfigureAwait(false);
        }

        // Started from inside a turn (a sub-agent spawned by its parent): the child's turn runs on a flow of its own, so
        // the caller's turn stays the caller's, and the child sees only its own.
        Task<Delegation> child;
        using (ExecutionContext.SuppressFlow())
        {
            child = Task.Run(() => RunDelegatedAsync(admitted, body, cancellationToken), CancellationToken.None);
        }

        return await child.ConfigureAwait(false);
    }

    private async Task<Delegation> RunDelegatedAsync(AdmittedDelegation admitted, Func<TurnScope, Task> body, CancellationToken cancellationToken)
    {
        // The turn's profile is the delegator's as the configuration in force has it; the sender is synthetic, and
        // nothing the body can pass names another person. This method's own async flow holds the turn.
        var delegation = admitted.Delegation;
        if (_budgets is not null)
        {
            await _budgets.PrepareAsync(admitted.Profile, cancellationToken).ConfigureAwait(false); // a delegated turn counts as a turn of the delegator
        }

        var context = new TurnContext(admitted.Profile, SenderEnvelope.ForDelegation(delegation.Id), admitted.Revision, _time.GetUtcNow(), delegation);
        var turn = Begin(context);
        await using (turn.ConfigureAwait(false))
        {
            Log.DelegatedTurnBegan(_logger, context.TurnId, delegation.Job, admitted.Profile.Key, admitted.Profile.Role, delegation.Id);
            cancellationToken.ThrowIfCancellationRequested();
            await body(turn).ConfigureAwait(false);
        }

        return delegation;
    }

    // Every turn begins here, from a message or from a delegation.
    private TurnScope Begin(TurnContext context)
    {
        var profile = context.Profile;
        _budgets?.ChargeTurn(context); // an exhausted turn budget throws AccessDeniedException: no turn begins

        // The turn's DI scope is made when the turn first asks for it (TurnScope.Services, ICurrentProfile.Services):
        // a scope is the dearest part of a turn, and many messages never resolve a scoped service.
        var turn = new TurnScope(context, this);
        CurrentTurnAccessor.Enter(turn);

        if (_metrics.Turns.Enabled)
        {
            _metrics.Turns.Add(1, new KeyValuePair<string, object?>("role", profile.Role));
        }

        _metrics.ActiveTurns.Add(1);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.TurnBegan(_logger, context.TurnId, profile.Key, profile.Role, context.Sender.Account);
        }

        return turn;
    }

    // The scope of one turn: its TurnScopeState holds the turn, so profile-bound services built in it are that turn's.
    internal IServiceScope CreateScope(TurnContext context)
    {
        var scope = _scopes.CreateScope();
        try
        {
            scope.ServiceProvider.GetRequiredService<TurnScopeState>().Context = context;
        }
        catch
        {
            scope.Dispose();
            throw;
        }

        return scope;
    }

    internal void End(TurnScope turn)
    {
        CurrentTurnAccessor.Exit(turn);
        turn.Context.Rules = null; // a context kept past its turn does not keep that snapshot's role table alive
        _metrics.ActiveTurns.Add(-1);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.TurnEnded(_logger, turn.Context.TurnId);
        }
    }

    // A resolution is only ever made by the library, but it may be stale: the configuration may have changed
    // since. The turn is for whoever the configuration in force maps the sender to, or not at all.
    private AgentProfile Admit(IdentityResolution resolution, out string revision)
    {
        if (!resolution.IsAdmitted)
        {
            throw new SenderRejectedException(resolution);
        }

        var given = resolution.Profile!;
        var principal = resolution.Sender.Account;
        var snapshot = _snapshots.Current;
        revision = snapshot.Revision;
        if (snapshot.TryGetProfile(principal, out var configured))
        {
            if (ReferenceEquals(configured, given) || string.Equals(configured.Key, given.Key, StringComparison.Ordinal))
            {
                return configured;
            }
        }
        // A guest profile is made by the resolver for one account, its key derived from it: comparing the account is enough.
        else if (snapshot.UnknownSenders == UnknownSenderPolicy.Guest && given.IsGuest && given.Principals is [var account] && account == principal)
        {
            return given;
        }

        throw new SenderRejectedException(resolution, "The identity configuration changed after the sender was resolved, and it no longer maps them to that profile. Resolve the sender again (or use RunTurnAsync, which does).");
    }
}
