namespace Hermes.Identity;

/// <summary>
/// Reads the turn in progress on this async flow. Register once, inject anywhere; adapters built outside a
/// turn (a chat client pipeline, a filter) reach the turn's profile-bound services through <see cref="Services"/>.
/// Outside a turn it throws: there is no default profile, and never a fallback to the owner.
/// </summary>
public interface ICurrentProfile
{
    /// <summary>Whether a turn is in progress on this async flow.</summary>
    bool IsInTurn { get; }

    /// <summary>The profile of the turn in progress.</summary>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    AgentProfile Profile { get; }

    /// <summary>The turn in progress.</summary>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    TurnContext Turn { get; }

    /// <summary>The services of the turn in progress (its DI scope): profile-bound services resolved here belong to <see cref="Profile"/>.</summary>
    /// <exception cref="NoActiveTurnException">No turn is in progress on this async flow.</exception>
    IServiceProvider Services { get; }
}
