namespace Hermes.Identity;

// The current turn on an async flow. The AsyncLocal holds a box, not the context itself: ending the
// turn empties the box, so tasks that copied the flow during the turn see it end too.
internal sealed class CurrentTurnAccessor : ICurrentProfile
{
    private static readonly AsyncLocal<TurnBox?> Current = new();

    public bool IsInTurn => Current.Value?.Context is not null;

    public AgentProfile Profile => Turn.Profile;

    public TurnContext Turn => Current.Value?.Context ?? throw new NoActiveTurnException();

    public IServiceProvider Services => Current.Value is { Context: not null, Services: { } services } ? services : throw new NoActiveTurnException();

    internal static TurnContext? Peek() => Current.Value?.Context;

    // The turn's DI scope, for adapters that run inside a turn but were built outside it (a chat client pipeline).
    internal static IServiceProvider? PeekServices() => Current.Value is { Context: not null } box ? box.Services : null;

    internal static TurnBox Enter(TurnContext context)
    {
        if (Current.Value?.Context is { } active)
        {
            throw new InvalidOperationException(
                $"A turn is already in progress on this async flow ({active}). End it before beginning another, " +
                "or handle each message on its own task; turns do not nest.");
        }

        var box = new TurnBox(context);
        Current.Value = box;
        return box;
    }

    internal static void Exit(TurnBox box)
    {
        box.Context = null;
        box.Services = null;
        if (ReferenceEquals(Current.Value, box))
        {
            Current.Value = null;
        }
    }

    internal sealed class TurnBox(TurnContext context)
    {
        public TurnContext? Context { get; set; } = context;

        public IServiceProvider? Services { get; set; }
    }
}
