namespace Hermes.Identity;

/// <summary>
/// A call waiting for an approval: who asked, in which turn, which tool call and which arguments.
/// Only the engine creates one (on a <see cref="PolicyEffect.RequireApproval"/> decision); pass it to
/// <see cref="Policy.PolicyEngine.GrantApprovalAsync"/> from the approver's turn, before <see cref="ExpiresAt"/>.
/// The approval it leads to is good for exactly this call, once: once the call has run, granting the request
/// again is refused.
/// </summary>
public sealed class ApprovalRequest
{
    internal ApprovalRequest(string profileKey, string turnId, string toolCallId, string argumentsDigest, string action, string? resource, DateTimeOffset expiresAt)
    {
        ProfileKey = profileKey;
        TurnId = turnId;
        ToolCallId = toolCallId;
        ArgumentsDigest = argumentsDigest;
        Action = action;
        Resource = resource;
        ExpiresAt = expiresAt;
    }

    /// <summary>The profile whose call waits.</summary>
    public string ProfileKey { get; }

    /// <summary>The turn the call belongs to: the approval is good only within it.</summary>
    public string TurnId { get; }

    /// <summary>The tool call's id.</summary>
    public string ToolCallId { get; }

    /// <summary>The digest of the call's arguments: other arguments need another approval.</summary>
    public string ArgumentsDigest { get; }

    /// <summary>The action, such as <c>tool.exec</c>.</summary>
    public string Action { get; }

    /// <summary>The tool's name or other resource.</summary>
    public string? Resource { get; }

    /// <summary>
    /// Until when the request may be granted: <see cref="Policy.PolicyOptions.ApprovalLifetime"/> after the engine asked
    /// for it. A grant after this is refused; ask for the call again.
    /// </summary>
    public DateTimeOffset ExpiresAt { get; }

    internal ApprovalKey Key => new(ProfileKey, TurnId, ToolCallId, ArgumentsDigest, Action, Resource);

    /// <inheritdoc />
    public override string ToString() => $"{Action} ({Resource}) for {ProfileKey}, call {ToolCallId}";
}
