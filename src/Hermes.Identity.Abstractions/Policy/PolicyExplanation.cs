namespace Hermes.Identity;

/// <summary>The whole trail of one decision: who it was for, which rules matched, what each backend said, and the result.</summary>
public sealed class PolicyExplanation
{
    internal PolicyExplanation(PolicyDecision decision, IReadOnlyList<string> steps)
    {
        Decision = decision;
        Steps = steps;
    }

    /// <summary>The decision explained (made exactly as the engine makes it, but not recorded and consuming no approval).</summary>
    public PolicyDecision Decision { get; }

    /// <summary>The steps, in order, each a sentence safe to show the user.</summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>The steps, one per line.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Steps);
}
