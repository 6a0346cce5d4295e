namespace Hermes.Identity;

/// <summary>
/// A turn was asked for a sender the configuration in force does not admit (or no longer maps to that
/// profile). Check <see cref="IdentityResolution.IsAdmitted"/> first, or use <see cref="ITurnScopeFactory.RunTurnAsync"/>.
/// </summary>
public sealed class SenderRejectedException : InvalidOperationException
{
    internal SenderRejectedException(IdentityResolution resolution, string? why = null)
        : base($"Sender {resolution.Sender} was not admitted, so no turn can begin for them: {why ?? resolution.RejectionReason} Check IdentityResolution.IsAdmitted before calling BeginTurn.")
    {
        Resolution = resolution;
    }

    /// <summary>The resolution the turn was asked for.</summary>
    public IdentityResolution Resolution { get; }
}
