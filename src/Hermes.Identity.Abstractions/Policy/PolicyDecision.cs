namespace Hermes.Identity;

/// <summary>The answer to a <c>PolicyRequest</c>, with the reasons that a user, a model and an auditor can read.</summary>
public sealed class PolicyDecision
{
    /// <summary>Creates a decision.</summary>
    /// <param name="effect">Allow, Deny or RequireApproval.</param>
    /// <param name="reason">Why, in words safe to show the user and the model.</param>
    /// <param name="ruleIds">The ids of the rules that decided it (empty for the default deny).</param>
    /// <param name="revision">The configuration revision the decision was made under.</param>
    public PolicyDecision(PolicyEffect effect, string reason, IReadOnlyList<string>? ruleIds = null, string? revision = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Effect = effect;
        Reason = reason;
        RuleIds = ruleIds ?? [];
        Revision = revision;
    }

    /// <summary>What the decision says.</summary>
    public PolicyEffect Effect { get; }

    /// <summary>Whether the action may go ahead now (<see cref="PolicyEffect.Allow"/>).</summary>
    public bool IsAllowed => Effect == PolicyEffect.Allow;

    /// <summary>Why, in words safe to show the user and the model.</summary>
    public string Reason { get; }

    /// <summary>The rules that decided it.</summary>
    public IReadOnlyList<string> RuleIds { get; }

    /// <summary>The configuration revision the decision was made under.</summary>
    public string? Revision { get; }

    /// <summary>Errors met while deciding (a backend that threw or timed out). A decision with errors is a deny.</summary>
    public IReadOnlyList<string> Errors { get; internal init; } = [];

    /// <summary>
    /// For a <see cref="PolicyEffect.RequireApproval"/> tool call made in a turn with a tool call id and an arguments
    /// digest: the stored request, whose <see cref="ApprovalRequest.Id"/> an approver passes to
    /// <c>Approvals.ApproveAsync</c> in a message of their own. For an answer given through
    /// <c>Approvals</c>, the request as answered. Otherwise <see langword="null"/>.
    /// </summary>
    public ApprovalRequest? Approval { get; internal init; }

    /// <summary>A deny.</summary>
    public static PolicyDecision Deny(string reason, string? revision = null, IReadOnlyList<string>? ruleIds = null) => new(PolicyEffect.Deny, reason, ruleIds, revision);

    /// <summary>An allow.</summary>
    public static PolicyDecision Allow(string reason, string? revision = null, IReadOnlyList<string>? ruleIds = null) => new(PolicyEffect.Allow, reason, ruleIds, revision);

    /// <inheritdoc />
    public override string ToString() => $"{Effect}: {Reason}";
}
