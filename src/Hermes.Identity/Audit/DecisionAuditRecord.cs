namespace Hermes.Identity.Audit;

/// <summary>
/// One decision as an <see cref="IDecisionAuditSink"/> receives it: the same fields as a line of the audit file. The call's
/// arguments appear only as their digest, never themselves.
/// </summary>
public sealed class DecisionAuditRecord
{
    /// <summary>When the decision was made (the engine's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The key of the profile the decision was for (in a delegated turn: the delegator); null outside a turn.</summary>
    public string? Profile { get; init; }

    /// <summary>The role the decision was made for, as the configuration in force had it; null when none was found.</summary>
    public string? Role { get; init; }

    /// <summary>The sender of the turn (its platform account, and whether it is automated); null outside a turn or in a delegated one.</summary>
    public SenderEnvelope? Sender { get; init; }

    /// <summary>The action decided, such as <c>tool.files.read</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The resource, such as the tool's name; null when the action has none.</summary>
    public string? Resource { get; init; }

    /// <summary>The decision returned: its effect, reason, the rules that decided, the configuration revision and any backend errors.</summary>
    public required PolicyDecision Decision { get; init; }

    /// <summary>The turn the decision was made in; null outside a turn.</summary>
    public string? TurnId { get; init; }

    /// <summary>The tool call's id, when the host passed one.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>The SHA-256 (hex) of the call's arguments, when the host passed one.</summary>
    public string? ArgumentsDigest { get; init; }

    /// <summary>The delegation the turn was begun from (a job acting for <see cref="Profile"/>); null in a turn begun from a message.</summary>
    public Delegation? Delegation { get; init; }
}
