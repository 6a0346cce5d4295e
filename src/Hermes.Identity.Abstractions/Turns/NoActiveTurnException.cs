namespace Hermes.Identity;

/// <summary>
/// Code asked for the current profile or a profile-bound service outside a turn, or used a profile-bound
/// service after its turn ended or inside another person's turn. Every profile-bound service throws this one
/// exception for all of these cases.
/// </summary>
public sealed class NoActiveTurnException : InvalidOperationException
{
    internal const string DefaultMessage =
        "No turn is in progress on this async flow, so there is no current profile. Handle each message with " +
        "ITurnScopeFactory.RunTurnAsync(envelope, turn => ...) and do the work inside the body; or resolve the sender with " +
        "IIdentityResolver.ResolveAsync and begin a turn with BeginTurn in the method that does the work (a turn begun inside " +
        "an async helper method is not current in that helper's caller). Hermes.Identity never falls back to a default profile or to the owner.";

    internal NoActiveTurnException(string message = DefaultMessage)
        : base(message)
    {
    }
}
