using Hermes.Identity.Policy;

namespace Hermes.Identity.PersonalData;

/// <summary>The policy refused to export or erase a profile's data.</summary>
public sealed class ProfileDataAccessDeniedException : UnauthorizedAccessException
{
    /// <summary>Creates the exception for a refusal.</summary>
    public ProfileDataAccessDeniedException(PolicyDecision decision)
        : base(decision?.Reason)
    {
        ArgumentNullException.ThrowIfNull(decision);
        Decision = decision;
    }

    /// <summary>Creates the exception.</summary>
    public ProfileDataAccessDeniedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProfileDataAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ProfileDataAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The decision that refused it.</summary>
    public PolicyDecision? Decision { get; }
}
