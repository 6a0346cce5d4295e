namespace Hermes.Identity;

/// <summary>
/// A tool call waiting for an approval, as the state store holds it: who asked, in which conversation, which tool
/// call and which arguments, and where it stands. The engine creates one when a call gets
/// <see cref="PolicyEffect.RequireApproval"/>; a holder of <c>approval.grant</c> answers it later, in a message of
/// their own, with <c>Approvals.ApproveAsync</c> or <c>Approvals.DenyAsync</c>, by
/// <see cref="Id"/>. The approved call then runs once, when the requester's conversation asks for that very call again.
/// </summary>
public sealed class ApprovalRequest
{
    internal ApprovalRequest(
        string id,
        string profileKey,
        string conversation,
        string toolCallId,
        string argumentsDigest,
        string action,
        string? resource,
        DateTimeOffset requestedAt,
        DateTimeOffset expiresAt,
        ApprovalState state,
        string? answeredBy,
        DateTimeOffset? answeredAt)
    {
        Id = id;
        ProfileKey = profileKey;
        Conversation = conversation;
        ToolCallId = toolCallId;
        ArgumentsDigest = argumentsDigest;
        Action = action;
        Resource = resource;
        RequestedAt = requestedAt;
        ExpiresAt = expiresAt;
        State = state;
        AnsweredBy = answeredBy;
        AnsweredAt = answeredAt;
    }

    /// <summary>The request's code: 8 characters of <c>ACDEFGHJKMNPQRTUVWXY23456789</c> (no look-alikes), for an owner to type. Case does not matter when typed.</summary>
    public string Id { get; }

    /// <summary>The profile whose call waits: only this profile's conversation can run it.</summary>
    public string ProfileKey { get; }

    /// <summary>
    /// The conversation the call was asked in, <c>platform:chatId</c> (<c>platform:user:userId</c> when the platform gives
    /// no chat id): the call runs only when the requester asks for it again there.
    /// </summary>
    public string Conversation { get; }

    /// <summary>The tool call's id.</summary>
    public string ToolCallId { get; }

    /// <summary>The SHA-256 (hex) of the call's arguments: other arguments need another approval.</summary>
    public string ArgumentsDigest { get; }

    /// <summary>The action, such as <c>tool.exec</c>.</summary>
    public string Action { get; }

    /// <summary>The tool's name or other resource.</summary>
    public string? Resource { get; }

    /// <summary>When the engine asked for the approval.</summary>
    public DateTimeOffset RequestedAt { get; }

    /// <summary>
    /// Until when the request may be answered: <c>PolicyOptions.ApprovalRequestLifetime</c> after it was
    /// asked (1 hour by default). Once approved, the call must run within <c>PolicyOptions.ApprovalLifetime</c>
    /// of the approval.
    /// </summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Where the request stands, as of when it was read.</summary>
    public ApprovalState State { get; }

    /// <summary>The profile that approved or denied it, or <see langword="null"/> while it is pending.</summary>
    public string? AnsweredBy { get; }

    /// <summary>When it was approved or denied, or <see langword="null"/>.</summary>
    public DateTimeOffset? AnsweredAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"approval {Id}: {Action} ({Resource}) for {ProfileKey}, call {ToolCallId}, {State}";
}
