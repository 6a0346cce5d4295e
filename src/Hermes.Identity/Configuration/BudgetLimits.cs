using System.Collections.Frozen;

namespace Hermes.Identity;

// The budgets one role or one identity sets in identities.yaml: each (counter, window) with a limit, or with no limit
// ('unlimited', which lifts a limit it would otherwise inherit). A key that is absent is inherited.
internal static class BudgetLimits
{
    public static readonly FrozenDictionary<BudgetKey, long?> None = FrozenDictionary<BudgetKey, long?>.Empty;

    /// <summary>The largest limit accepted: counts are kept in 40 bits.</summary>
    public const long MaxLimit = 1_000_000_000_000;
}
