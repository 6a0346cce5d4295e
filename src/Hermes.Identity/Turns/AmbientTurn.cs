namespace Hermes.Identity;

// The turn of the calling async flow. It sits with the values (layer 1), below the turn layer, because
// TurnContext.ThrowIfNotCurrent asks it whether a turn is still the flow's own; only the turn layer sets it
// (TurnScopeFactory, through CurrentTurnAccessor). The AsyncLocal holds a box, not the context itself: ending the
// turn empties the box, so tasks that copied the flow during the turn see it end too.
internal static class AmbientTurn
{
    private static readonly AsyncLocal<Box?> Current = new();

    internal static TurnContext? Peek() => Current.Value?.Context;

    // The turn's DI scope, for adapters that run inside a turn but were built outside it (a chat client pipeline).
    internal static IServiceProvider? PeekServices() => Current.Value is { Context: not null } box ? box.Services : null;

    internal static Box Enter(TurnContext context)
    {
        if (Current.Value?.Context is { } active)
        {
            throw new InvalidOperationException(
                $"A turn is already in progress on this async flow ({active}). End it before beginning another, " +
                "or handle each message on its own task; turns do not nest.");
        }

        var box = new Box(context);
        Current.Value = box;
        return box;
    }

    internal static void Exit(Box box)
    {
        box.Context = null;
        box.Services = null;
        if (ReferenceEquals(Current.Value, box))
        {
            Current.Value = null;
        }
    }

    internal sealed class Box(TurnContext context)
    {
        public TurnContext? Context { get; set; } = context;

        public IServiceProvider? Services { get; set; }
    }
}
