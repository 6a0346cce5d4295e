namespace Hermes.Identity.Tools;

/// <summary>Whether a tool is offered to the model for the turn in progress (<see cref="ToolGate.GetVisibilityAsync"/>).</summary>
public enum ToolVisibility
{
    /// <summary>Withheld: the policy denies every call to it. Do not describe it to the model; a call to it is refused anyway.</summary>
    Hidden = 0,

    /// <summary>Offered: calls to it are allowed (each call is still decided by <see cref="ToolGate.DecideCallAsync"/>).</summary>
    Offered = 1,

    /// <summary>Offered, but a call runs only once a holder of <c>approval.grant</c> has approved that very call.</summary>
    OfferedWithApproval = 2,
}
