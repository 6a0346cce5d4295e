namespace Hermes.Identity;

/// <summary>
/// A delegation could not be used or made: it does not exist, has expired or been revoked (it or a delegation above
/// it), its delegator is no longer in the identity configuration, its stored record does not match its seal, or the
/// delegation asked for would exceed what the turn creating it may hand on. The message says which, and what to do.
/// </summary>
public sealed class DelegationRefusedException : InvalidOperationException
{
    internal DelegationRefusedException(string delegationId, string message)
        : base(message)
    {
        DelegationId = delegationId;
    }

    /// <summary>The id of the delegation refused (empty when a new one was refused before it had an id).</summary>
    public string DelegationId { get; }
}
