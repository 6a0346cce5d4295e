namespace Hermes.Identity;

/// <summary>Code asked for the current profile, or a profile-bound service, outside a turn.</summary>
public sealed class NoActiveTurnException : InvalidOperationException
{
    internal const string DefaultMessage =
        "No turn is in progress on this async flow, so there is no current profile. Resolve the sender with " +
        "IIdentityResolver.ResolveAsync, begin a turn with ITurnScopeFactory.BeginTurn, and do the work inside it " +
        "(await using the turn). A turn begun inside an async helper method is not current in that helper's caller: " +
        "call BeginTurn in the method that does the work. Hermes.Identity never falls back to a default profile or to the owner.";

    /// <summary>Creates the exception with the standard message.</summary>
    public NoActiveTurnException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NoActiveTurnException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public NoActiveTurnException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
