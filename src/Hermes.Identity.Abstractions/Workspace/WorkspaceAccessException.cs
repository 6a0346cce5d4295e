namespace Hermes.Identity.Workspace;

/// <summary>
/// A workspace operation was refused or failed. <see cref="Exception.Message"/> says what happened in terms of
/// the path the caller gave, never a path outside the workspace, so it is safe to show the user and the model.
/// </summary>
public sealed class WorkspaceAccessException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the operation was refused or failed.</param>
    /// <param name="message">What happened, safe to show.</param>
    internal WorkspaceAccessException(WorkspaceAccessReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>Why the operation was refused or failed.</summary>
    public WorkspaceAccessReason Reason { get; }
}
