namespace Hermes.Identity;

// The current turn on an async flow. The AsyncLocal holds the TurnScope, which is live until it is disposed:
// ending the turn ends it for every flow that holds it, so tasks that copied the flow during the turn see it end too.
internal sealed class CurrentTurnAccessor : ICurrentProfile
{
    private static readonly AsyncLocal<TurnScope?> Current = new();

    public bool IsInTurn => Peek() is not null;

    public AgentProfile Profile => Turn.Profile;

    public TurnContext Turn => Peek() ?? throw new NoActiveTurnException();

    public IServiceProvider Services => PeekServices() ?? throw new NoActiveTurnException();

    internal static TurnContext? Peek() => Current.Value is { IsLive: true } turn ? turn.Context : null;

    // The turn's DI scope, for adapters that run inside a turn but were built outside it (a chat client pipeline).
    // Made on first use: most messages never resolve a scoped service.
    internal static IServiceProvider? PeekServices() => Current.Value is { } turn && turn.TryGetServices(out var services) ? services : null;

    internal static void Enter(TurnScope turn)
    {
        if (Peek() is { } active)
        {
            throw new InvalidOperationException(
                $"A turn is already in progress on this async flow ({active}). End it before beginning another, " +
                "or handle each message on its own task; turns do not nest.");
        }

        Current.Value = turn;
    }

    // The turn is already not live (TurnScope marks it ended first); this only lets go of it on the flow that ends it.
    internal static void Exit(TurnScope turn)
    {
        if (ReferenceEquals(Current.Value, turn))
        {
            Current.Value = null;
        }
    }
}
