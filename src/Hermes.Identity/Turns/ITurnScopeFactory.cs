namespace Hermes.Identity;

/// <summary>Begins turns: one per incoming message, for the sender the configuration in force admits.</summary>
/// <example>
/// <code>
/// var resolution = await turns.RunTurnAsync(envelope, async turn =>
/// {
///     var memory = turn.Services.GetRequiredService&lt;IMemoryStore&gt;();   // bound to this person
///     await RunYourAgentLoopAsync(turn, text);
/// }, cancellationToken);
/// if (!resolution.IsAdmitted) await ReplyAsync(resolution.RejectionReason!);
/// </code>
/// </example>
public interface ITurnScopeFactory
{
    /// <summary>
    /// Resolves <paramref name="sender"/> and, if the configuration in force admits them, runs
    /// <paramref name="body"/> inside a turn for their profile, ending the turn when the body completes or
    /// throws. The easy and safe way to handle a message: the current profile is set for everything the body
    /// awaits, wherever this is called from.
    /// </summary>
    /// <returns>The resolution: when <see cref="IdentityResolution.IsAdmitted"/> is false the body did not run, and <see cref="IdentityResolution.RejectionReason"/> says why.</returns>
    /// <exception cref="InvalidOperationException">A turn is already in progress on this async flow.</exception>
    /// <exception cref="AccessDeniedException">A turn budget of the person is used up (docs/budgets.md): the body did not run; <see cref="AccessDeniedException.Decision"/>'s reason says which budget and when it resets, for the host to reply with.</exception>
    Task<IdentityResolution> RunTurnAsync(SenderEnvelope sender, Func<TurnScope, Task> body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a turn for an admitted sender: checks the resolution again against the identity configuration in
    /// force, sets the current profile on this async flow and gives the turn a DI scope (made on first use) in which
    /// profile-bound services resolve for that profile. Dispose the turn when the message is handled. Call it in the method that does
    /// the work: an <see cref="System.Threading.AsyncLocal{T}"/> set inside an <see langword="async"/> helper does
    /// not flow back to the helper's caller. <see cref="RunTurnAsync"/> does this for you.
    /// </summary>
    /// <exception cref="SenderRejectedException">The resolution is a rejection, or the configuration in force no longer maps the sender to that profile.</exception>
    /// <exception cref="InvalidOperationException">A turn is already in progress on this async flow.</exception>
    /// <exception cref="AccessDeniedException">A turn budget of the person is used up (docs/budgets.md): no turn began; the decision's reason says which budget and when it resets.</exception>
    TurnScope BeginTurn(IdentityResolution resolution);

    /// <summary>
    /// Runs <paramref name="body"/> inside a turn begun from a delegation (a scheduled job or a sub-agent acting for the
    /// person who created it), ending the turn when the body completes or throws. The delegation is read from the state
    /// store and checked when the turn begins: it and every delegation above it must be neither expired nor revoked, its
    /// record must match its seal, and its delegator must still be in the identity configuration in force. The turn is
    /// for the delegator's profile as configured now (a demotion since the delegation was made applies); its
    /// <see cref="TurnContext.Delegation"/> is set, and its <see cref="TurnContext.Sender"/> is a synthetic
    /// <c>@delegation:&lt;id&gt;</c> envelope. Nothing the body or a tool passes can change whose turn it is.
    /// <para>Called outside any turn (a scheduler, a hosted service), it may start any delegation whose id it holds: ids
    /// are unguessable, keep them as secrets of the host and never let a model choose one. Called inside a turn (a parent
    /// spawning a sub-agent), it starts only a delegation of that turn's own profile, and in a delegated turn only one
    /// created below the turn's own delegation; the child's turn then runs on a flow of its own and the caller's turn
    /// stays current for the caller.</para>
    /// </summary>
    /// <param name="delegationId">The <see cref="Delegation.Id"/> from <see cref="Delegations.DelegationRegistry.CreateAsync"/>.</param>
    /// <param name="body">The job's work.</param>
    /// <param name="cancellationToken">Cancels the store read, and the body before it starts.</param>
    /// <returns>The delegation the turn ran from, as read when it began.</returns>
    /// <exception cref="DelegationRefusedException">
    /// The delegation cannot be used (unknown, expired, revoked, tampered with, or its delegator removed), or the turn
    /// calling is not allowed to start it; the body did not run.
    /// </exception>
    /// <exception cref="InvalidOperationException">No state store is registered.</exception>
    /// <exception cref="State.StateStoreException">The state store failed; the body did not run.</exception>
    Task<Delegation> RunDelegatedTurnAsync(string delegationId, Func<TurnScope, Task> body, CancellationToken cancellationToken = default);
}
