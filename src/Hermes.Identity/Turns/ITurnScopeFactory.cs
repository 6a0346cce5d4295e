namespace Hermes.Identity;

/// <summary>Begins turns: one per incoming message, for the sender the resolver admitted.</summary>
/// <example>
/// <code>
/// var resolution = await resolver.ResolveAsync(envelope, ct);
/// if (!resolution.IsAdmitted) { await ReplyAsync(resolution.RejectionReason); return; }
/// await using var turn = turns.BeginTurn(resolution);
/// var memory = turn.Services.GetRequiredService&lt;IMemoryStore&gt;();   // bound to this person
/// </code>
/// </example>
public interface ITurnScopeFactory
{
    /// <summary>
    /// Begins a turn for an admitted sender: sets the current profile on this async flow and creates a
    /// DI scope in which profile-bound services resolve for that profile. Dispose the turn when the
    /// message is handled. Call it directly in the method that does the work (not inside a helper
    /// <see langword="async"/> method), so the current profile flows to everything awaited after it.
    /// </summary>
    /// <exception cref="SenderRejectedException">The resolution is a rejection.</exception>
    /// <exception cref="InvalidOperationException">A turn is already in progress on this async flow.</exception>
    TurnScope BeginTurn(IdentityResolution resolution);
}
