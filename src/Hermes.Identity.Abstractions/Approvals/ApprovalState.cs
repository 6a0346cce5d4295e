namespace Hermes.Identity;

/// <summary>Where an <see cref="ApprovalRequest"/> stands.</summary>
public enum ApprovalState
{
    /// <summary>Waiting for a holder of <c>approval.grant</c> to approve or deny it.</summary>
    Pending = 0,

    /// <summary>Approved: the call runs once, the next time the requester's conversation asks for it.</summary>
    Approved = 1,

    /// <summary>Denied: the call never runs on this request.</summary>
    Denied = 2,

    /// <summary>Used: the call ran once on this approval and never runs on it again.</summary>
    Used = 3,

    /// <summary>Not answered in time, or approved and not used in time: the call never runs on this request.</summary>
    Expired = 4,
}
