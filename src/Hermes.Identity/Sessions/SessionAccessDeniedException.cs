using Hermes.Identity.Policy;

namespace Hermes.Identity.Sessions;

/// <summary>The policy refused to let the turn's profile read another profile's sessions (<see cref="PolicyActions.SessionsReadAll"/>).</summary>
public sealed class SessionAccessDeniedException : UnauthorizedAccessException
{
    /// <summary>Creates the exception from the policy's decision.</summary>
    public SessionAccessDeniedException(PolicyDecision decision)
        : base(MessageFor(decision))
    {
        Decision = decision;
    }

    /// <summary>Creates the exception with a message.</summary>
    public SessionAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SessionAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the standard message.</summary>
    public SessionAccessDeniedException()
        : base(MessageFor(null))
    {
    }

    /// <summary>The policy's decision, when there was one.</summary>
    public PolicyDecision? Decision { get; }

    private static string MessageFor(PolicyDecision? decision) =>
        $"Reading other profiles' sessions needs the '{PolicyActions.SessionsReadAll}' permission (the owner has it by default). " +
        (decision is null ? "The policy refused it." : $"The policy refused it: {decision.Reason}");
}
