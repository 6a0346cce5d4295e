using Hermes.Identity.Policy;

namespace Hermes.Identity.Sample;

/// <summary>Passes every request to the real backend and prints the decisions about tool calls and stores.</summary>
public sealed class PrintingPolicyBackend(IPolicyBackend inner, TextWriter output) : IPolicyBackend
{
    private readonly List<(string Principal, string Action, string? Resource, PolicyEffect Effect)> _decisions = [];

    /// <summary>Every printed decision.</summary>
    public IReadOnlyList<(string Principal, string Action, string? Resource, PolicyEffect Effect)> Decisions
    {
        get
        {
            lock (_decisions)
            {
                return [.. _decisions];
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        var decision = await inner.EvaluateAsync(request, cancellationToken);
        var isCall = !request.Action.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal) || request.ToolCallId is not null;
        if (isCall)
        {
            var principal = request.Sender?.Principal.ToString() ?? "(none)";
            lock (_decisions)
            {
                _decisions.Add((principal, request.Action, request.Resource, decision.Effect));
                output.WriteLine($"    policy: {decision.Effect.ToString().ToUpperInvariant()} {request.Action} {request.Resource} for {request.Subject.Key} ({request.Subject.Role}, {principal}): {decision.Reason}");
            }
        }

        return decision;
    }
}
