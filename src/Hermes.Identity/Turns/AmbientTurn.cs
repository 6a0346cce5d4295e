using System.Diagnostics.CodeAnalysis;

namespace Hermes.Identity;

// The turn of the calling async flow. It sits with the values (layer 1), below the turn layer, because
// TurnContext.ThrowIfNotCurrent asks it whether a turn is still the flow's own; only the turn layer sets it
// (TurnScopeFactory, through CurrentTurnAccessor). The AsyncLocal holds the turn itself (a TurnScope, seen here
// through IAmbientTurn), which stays live until it is disposed: ending the turn ends it for every flow that holds
// it, so tasks that copied the flow during the turn see it end too.
internal static class AmbientTurn
{
    private static readonly AsyncLocal<IAmbientTurn?> Current = new();

    internal static TurnContext? Peek() => Current.Value?.LiveContext;

    // The turn's DI scope, for adapters that run inside a turn but were built outside it (a chat client pipeline).
    // Made on first use: most messages never resolve a scoped service.
    internal static IServiceProvider? PeekServices() => Current.Value is { } turn && turn.TryGetServices(out var services) ? services : null;

    internal static void Enter(IAmbientTurn turn)
    {
        if (Peek() is { } active)
        {
            throw new InvalidOperationException(
                $"A turn is already in progress on this async flow ({active}). End it before beginning another, " +
                "or handle each message on its own task; turns do not nest.");
        }

        Current.Value = turn;
    }

    // The turn is already not live (it marks itself ended first); this only lets go of it on the flow that ends it.
    internal static void Exit(IAmbientTurn turn)
    {
        if (ReferenceEquals(Current.Value, turn))
        {
            Current.Value = null;
        }
    }
}

// What the ambient slot holds: a turn, seen from layer 1 (TurnScope implements it).
internal interface IAmbientTurn
{
    // The turn's context while it is live; null once it has ended.
    TurnContext? LiveContext { get; }

    bool TryGetServices([NotNullWhen(true)] out IServiceProvider? services);
}
