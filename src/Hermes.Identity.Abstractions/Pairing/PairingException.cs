namespace Hermes.Identity;

/// <summary>
/// A pairing or linking operation was refused for a reason other than the policy (which throws
/// <see cref="AccessDeniedException"/>): a wrong, expired or used code, a lock-out, a role pairing cannot grant, an
/// account that is already someone's. The message says what happened and what to do, in words safe to show the person
/// who asked; <see cref="Reason"/> says which case it is.
/// </summary>
public sealed class PairingException : Exception
{
    internal PairingException(PairingRefusal reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Which refusal this is.</summary>
    public PairingRefusal Reason { get; }
}
