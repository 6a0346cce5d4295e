using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Policy;

// Small real backends for composition tests.
internal sealed class ThrowingBackend : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("the policy store is unreachable");
}

// Never answers: only the engine's timeout ends the call (it cancels the token, and the delay throws).
internal sealed class SlowBackend : IPolicyBackend
{
    public async ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return PolicyDecision.Allow("slowly");
    }
}

internal sealed class DenyWebBackend : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
        new(request.Action.StartsWith("tool.web.", StringComparison.Ordinal)
            ? PolicyDecision.Deny("The web is closed today.", ruleIds: ["web-closed"])
            : PolicyDecision.Allow("Not about the web.", ruleIds: ["web-open"]));
}

internal sealed class ApproveFilesBackend : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
        new(request.Action.StartsWith("tool.files.", StringComparison.Ordinal)
            ? new PolicyDecision(PolicyEffect.RequireApproval, "Files need a second pair of eyes.", ["files-approval"])
            : PolicyDecision.Allow("Fine.", ruleIds: ["fine"]));
}

internal sealed class NonsenseBackend : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
        new(new PolicyDecision((PolicyEffect)7, "Something new."));
}
