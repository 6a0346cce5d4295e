namespace Hermes.Identity;

/// <summary>What a policy decision says. The default value is <see cref="Deny"/>.</summary>
public enum PolicyEffect
{
    /// <summary>The action is refused.</summary>
    Deny = 0,

    /// <summary>The action may go ahead.</summary>
    Allow = 1,

    /// <summary>The action may go ahead once a profile holding <c>approval.grant</c> approves this very call.</summary>
    RequireApproval = 2,
}
