namespace Hermes.Identity.AI.Internal;

// The AI package's only way to the turn in progress: its context and its DI scope. Everything else in the package
// asks here, so when the core's public API replaces the internal accessor this is the one file to change.
// Both read the core's public ICurrentProfile (Turn, Services), which throw NoActiveTurnException outside a turn.
internal sealed class TurnAccess(ICurrentProfile? current)
{
    /// <summary>The turn in progress on this async flow, or null.</summary>
    public TurnContext? Current
    {
        get
        {
            if (current is null)
            {
                return null;
            }

            try
            {
                return current.IsInTurn ? current.Turn : null;
            }
            catch (NoActiveTurnException)
            {
                return null; // the turn ended between the two reads
            }
        }
    }

    /// <summary>The DI scope of the turn in progress (its profile-bound stores), or null outside a turn.</summary>
    public IServiceProvider? Services
    {
        get
        {
            if (current is null)
            {
                return null;
            }

            try
            {
                return current.IsInTurn ? current.Services : null;
            }
            catch (NoActiveTurnException)
            {
                return null; // the turn ended between the two reads
            }
        }
    }
}
