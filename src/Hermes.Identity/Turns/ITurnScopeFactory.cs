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
}
