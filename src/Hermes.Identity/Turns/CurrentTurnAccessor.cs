namespace Hermes.Identity.Turns;

// ICurrentProfile over the turn of the calling async flow (AmbientTurn), and the turn layer's way to begin and end
// one there. Outside a turn it throws: there is no default profile.
internal sealed class CurrentTurnAccessor : ICurrentProfile
{
    public bool IsInTurn => AmbientTurn.Peek() is not null;

    public AgentProfile Profile => Turn.Profile;

    public TurnContext Turn => AmbientTurn.Peek() ?? throw new NoActiveTurnException();

    public IServiceProvider Services => AmbientTurn.PeekServices() ?? throw new NoActiveTurnException();

    internal static TurnContext? Peek() => AmbientTurn.Peek();

    // The turn's DI scope, for adapters that run inside a turn but were built outside it (a chat client pipeline).
    internal static IServiceProvider? PeekServices() => AmbientTurn.PeekServices();

    internal static void Enter(TurnScope turn) => AmbientTurn.Enter(turn);

    internal static void Exit(TurnScope turn) => AmbientTurn.Exit(turn);
}
