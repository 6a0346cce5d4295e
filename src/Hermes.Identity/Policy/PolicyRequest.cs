namespace Hermes.Identity;

/// <summary>One question for the policy: may this subject do this action on this resource, in this context? The engine makes it; backends read it.</summary>
public sealed class PolicyRequest
{
    internal PolicyRequest(AgentProfile subject, string action, string? resource = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(action);
        Subject = subject;
        Action = action;
        Resource = resource;
    }

    /// <summary>The profile the action is for.</summary>
    public AgentProfile Subject { get; }

    /// <summary>The dotted action name.</summary>
    public string Action { get; }

    /// <summary>What the action touches, or <see langword="null"/>.</summary>
    public string? Resource { get; }

    /// <summary>The platform-verified sender of the message that caused the action, when there is one.</summary>
    public SenderEnvelope? Sender { get; internal init; }

    /// <summary>The revision of the identity configuration in force.</summary>
    public string? Revision { get; internal init; }

    /// <summary>The turn the action belongs to, when there is one.</summary>
    public string? TurnId { get; internal init; }

    /// <summary>The tool call's id, for tool actions.</summary>
    public string? ToolCallId { get; internal init; }

    /// <summary>A digest (SHA-256, hex) of the tool's arguments: approvals bind to it; the raw arguments are never logged.</summary>
    public string? ArgumentsDigest { get; internal init; }

    /// <summary>When the request was made.</summary>
    public DateTimeOffset Time { get; internal init; }

    /// <summary>Further attributes an ABAC backend may read; backends may add their own keys.</summary>
    public IReadOnlyDictionary<string, object?> Attributes { get; internal init; } = EmptyAttributes;

    private static readonly IReadOnlyDictionary<string, object?> EmptyAttributes = new Dictionary<string, object?>();
}
