namespace Hermes.Identity.Turns;

// Scoped: the turn a DI scope belongs to. Profile-bound services take their profile from here, so a
// scope that is not a turn's cannot build them.
internal sealed class TurnScopeState
{
    public TurnContext? Context { get; set; }

    public TurnContext RequireContext() => Context ?? throw new NoActiveTurnException(
        "A profile-bound service was asked for outside a turn's scope. Resolve it from TurnScope.Services " +
        "(ITurnScopeFactory.BeginTurn); a plain DI scope has no profile, and Hermes.Identity never assumes one.");
}
