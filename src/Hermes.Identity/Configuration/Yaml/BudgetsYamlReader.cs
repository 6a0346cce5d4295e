using System.Collections.Frozen;
using System.Globalization;

namespace Hermes.Identity.Configuration.Yaml;

// Reads a 'budgets:' mapping of a role or an identity:
//   budgets: { turns: { hour: 20, day: 100 }, tool.web: { hour: 10 }, tokens: { day: 50000 } }
// A counter is 'turns', 'tokens', 'tool.*' (every tool call) or 'tool.<category>' (that category and every category
// under it); a window is 'hour' or 'day'; a limit is a whole number from 0 to 1,000,000,000,000 or 'unlimited'.
internal static class BudgetsYamlReader
{
    private static readonly string[] Windows = ["hour", "day"];

    public static FrozenDictionary<BudgetKey, long?> Read(YNode? node, string owner, string[] knownActions, Action<YNode, string> error)
    {
        if (node is null || node is YScalar { IsNull: true })
        {
            return BudgetLimits.None;
        }

        if (node is not YMapping map)
        {
            error(node, $"'budgets' of {owner} must map counters to limits per window, such as 'budgets: {{ turns: {{ hour: 20, day: 100 }}, tokens: {{ day: 50000 }} }}'.");
            return BudgetLimits.None;
        }

        var result = new Dictionary<BudgetKey, long?>();
        string[]? categories = null;
        foreach (var (key, value) in map.Entries)
        {
            var counter = key.Value;
            categories ??= [.. knownActions.Where(a => a.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal)).Select(a => a[PolicyActions.ToolPrefix.Length..])];
            if (CounterProblem(counter, categories) is { } problem)
            {
                error(key, $"'{counter}' in 'budgets' of {owner} is not a budget counter: {problem}");
                continue;
            }

            if (value is not YMapping windows || windows.Entries.Count == 0)
            {
                error(value, $"Budget '{counter}' of {owner} must give a limit per window, such as '{counter}: {{ hour: 20, day: 100 }}' ('hour', 'day', or both).");
                continue;
            }

            foreach (var (windowKey, limitNode) in windows.Entries)
            {
                BudgetWindow window;
                switch (windowKey.Value)
                {
                    case "hour": window = BudgetWindow.Hour; break;
                    case "day": window = BudgetWindow.Day; break;
                    default:
                        error(windowKey, $"'{windowKey.Value}' is not a budget window (budget '{counter}' of {owner}). Use 'hour' (resets at every full UTC hour) or 'day' (resets at 00:00 UTC).");
                        continue;
                }

                if (limitNode is not YScalar { IsNull: false } scalar)
                {
                    error(limitNode, $"The {windowKey.Value}ly limit of budget '{counter}' of {owner} must be a whole number from 0 to {BudgetLimits.MaxLimit:N0}, or 'unlimited'.");
                    continue;
                }

                if (scalar.Value == "unlimited")
                {
                    result[new BudgetKey(counter, window)] = null;
                    continue;
                }

                if (!IsDigits(scalar.Value) || !long.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit > BudgetLimits.MaxLimit)
                {
                    error(scalar, scalar.Value.StartsWith('-')
                        ? $"The {windowKey.Value}ly limit of budget '{counter}' of {owner} is negative ({scalar.Value}). A limit is from 0 (nothing allowed) to {BudgetLimits.MaxLimit:N0}; write 'unlimited' to lift an inherited limit."
                        : $"The {windowKey.Value}ly limit of budget '{counter}' of {owner} is '{scalar.Value}'; write a whole number from 0 to {BudgetLimits.MaxLimit:N0} (digits only, such as 50000), or 'unlimited'.");
                    continue;
                }

                result[new BudgetKey(counter, window)] = limit;
            }
        }

        return result.ToFrozenDictionary();
    }

    /// <summary>
    /// A built-in role given only <c>budgets:</c> (and perhaps a description) keeps its built-in rules and gains the
    /// budgets: the built-in roles have no budgets by default, and adding some must not mean writing their rules out.
    /// Any other key (allow, deny, inherits, …) redefines the role as before. Null when this is not that case.
    /// </summary>
    public static RoleDefinition? OnlyBudgetsForBuiltIn(string role, YMapping body, string[] knownActions, Action<YNode, string> error)
    {
        if (!BuiltInRoles.Definitions.TryGetValue(role, out var builtIn)
            || !body.Entries.Any(e => e.Key.Value == "budgets")
            || body.Entries.Any(e => e.Key.Value is not ("budgets" or "description")))
        {
            return null;
        }

        var budgets = Read(body.Entries.First(e => e.Key.Value == "budgets").Value, $"role '{role}'", knownActions, error);
        return new RoleDefinition(builtIn.Name)
        {
            Inherits = builtIn.Inherits,
            Allow = builtIn.Allow,
            Deny = builtIn.Deny,
            RequireApproval = builtIn.RequireApproval,
            Workspace = builtIn.Workspace,
            IsBuiltIn = true,
            Budgets = budgets,
        };
    }

    /// <summary>Whether a counter name is one this library counts, and if not, why and what to write instead.</summary>
    internal static string? CounterProblem(string counter, IReadOnlyCollection<string> categories)
    {
        if (counter is BudgetKey.Turns or BudgetKey.Tokens || counter == "tool.*")
        {
            return null;
        }

        if (!counter.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal))
        {
            return $"use 'turns', 'tokens', 'tool.*' (every tool call) or 'tool.<category>' (such as 'tool.web', which counts web.search and every other web.* category).{Suggest(counter)}";
        }

        var category = counter[PolicyActions.ToolPrefix.Length..];
        if (category.EndsWith(".*", StringComparison.Ordinal))
        {
            return $"write '{counter[..^2]}': a budget on a category already counts every category under it.";
        }

        if (categories.Any(c => Covers(category, c)))
        {
            return null;
        }

        return $"no tool category is '{category}' or under it. Known categories: {string.Join(", ", categories.Order(StringComparer.Ordinal))} (the built-ins and those named under 'tools:').";
    }

    /// <summary>Whether budget category <paramref name="budget"/> counts calls of <paramref name="category"/>: the same category, or one under it.</summary>
    internal static bool Covers(string budget, string category) =>
        string.Equals(budget, category, StringComparison.Ordinal)
        || (category.Length > budget.Length && category[budget.Length] == '.' && category.StartsWith(budget, StringComparison.Ordinal));

    private static bool IsDigits(string s) => s.Length is > 0 and <= 13 && s.All(char.IsAsciiDigit);

    private static string Suggest(string counter) => counter switch
    {
        "turn" => " Did you mean 'turns'?",
        "token" => " Did you mean 'tokens'?",
        "tools" => " Did you mean 'tool.*'?",
        _ => string.Empty,
    };
}
