namespace Hermes.Identity;

/// <summary>
/// Reads the profile of the turn in progress on this async flow. Register once, inject anywhere.
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
}
