namespace Hermes.Identity;

/// <summary>A turn was asked for a sender the resolver rejected. Check <see cref="IdentityResolution.IsAdmitted"/> first.</summary>
public sealed class SenderRejectedException : InvalidOperationException
{
    /// <summary>Creates the exception for a rejected resolution.</summary>
    public SenderRejectedException(IdentityResolution resolution)
        : base($"Sender {resolution.Sender?.ToString() ?? "(none)"} was not admitted, so no turn can begin for them: {resolution.RejectionReason} Check IdentityResolution.IsAdmitted before calling BeginTurn.")
    {
        Resolution = resolution;
    }

    /// <summary>Creates the exception.</summary>
    public SenderRejectedException()
        : base("The sender was not admitted, so no turn can begin for them.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public SenderRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public SenderRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The rejected resolution.</summary>
    public IdentityResolution Resolution { get; }
}
