using System.Collections.Concurrent;
using System.Collections.Frozen;
using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Budgets;

// The budgets of one identity snapshot: each role's own and inherited budgets flattened once, and each person's
// compiled budgets made on first use (a person's own budgets over their role's, per counter and window).
internal sealed class BudgetPlan
{
    private readonly FrozenDictionary<string, Dictionary<BudgetKey, (long? Limit, string Source)>> _roles;
    private readonly ConcurrentDictionary<string, ProfileBudget> _profiles = new(StringComparer.Ordinal);

    public BudgetPlan(IdentitySnapshot snapshot)
    {
        Snapshot = snapshot;
        var roles = new Dictionary<string, Dictionary<BudgetKey, (long? Limit, string Source)>>(StringComparer.Ordinal);
        foreach (var name in snapshot.Roles.Keys)
        {
            var limits = new Dictionary<BudgetKey, (long?, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var current = name; current is not null && seen.Add(current) && snapshot.Roles.TryGetValue(current, out var role); current = role.Inherits)
            {
                foreach (var (key, limit) in role.Budgets)
                {
                    limits.TryAdd(key, (limit, "role:" + current)); // the nearest role that sets a budget wins
                }
            }

            roles[name] = limits;
        }

        _roles = roles.ToFrozenDictionary(StringComparer.Ordinal);
        IsEmpty = roles.Values.All(r => r.Values.All(v => v.Limit is null)) && snapshot.ConfiguredProfiles.Values.All(p => p.Budgets.Values.All(v => v is null)); // a directory person has no budgets of their own
        None = ProfileBudget.None(this);
    }

    public IdentitySnapshot Snapshot { get; }

    /// <summary>No role and no person has a budget: nothing is counted.</summary>
    public bool IsEmpty { get; }

    /// <summary>What a person without budgets gets under this plan.</summary>
    public ProfileBudget None { get; }

    /// <summary>The limits in force for <paramref name="profile"/> (as this snapshot has them), or null for none.</summary>
    public (string Subject, string ProfileKey, List<(BudgetKey Key, long Limit, string Source)> Limits)? LimitsFor(AgentProfile profile)
    {
        if (IsEmpty || !Snapshot.RoleTable.TryGetRules(profile, out var rules, out _))
        {
            return null; // a person the configuration no longer admits does nothing anyway
        }

        var own = !profile.IsGuest && Snapshot.Profiles.TryGetValue(profile.Key, out var configured) ? configured.Budgets : BudgetLimits.None;
        var merged = _roles.TryGetValue(rules.Role, out var role) ? new Dictionary<BudgetKey, (long? Limit, string Source)>(role) : [];
        foreach (var (key, limit) in own)
        {
            merged[key] = (limit, "identity:" + profile.Key);
        }

        var limits = merged.Where(m => m.Value.Limit is not null).Select(m => (m.Key, m.Value.Limit!.Value, m.Value.Source)).ToList();
        return limits.Count == 0 ? null : ($"{profile.Key} (role {rules.Role})", profile.Key, limits);
    }

    public ProfileBudget GetOrAdd(string profileKey, Func<ProfileBudget> build) =>
        _profiles.TryGetValue(profileKey, out var budget) ? budget : _profiles.GetOrAdd(profileKey, budget = build());

    /// <summary>Compiles the cells of a person's limits against their live counters.</summary>
    public ProfileBudget Compile(string subject, string profileKey, List<(BudgetKey Key, long Limit, string Source)> limits, ProfileCounters counters)
    {
        var cells = limits
            .OrderBy(l => l.Key.Counter, StringComparer.Ordinal).ThenBy(l => l.Key.Window)
            .Select(l => new BudgetCell(l.Key.Counter, l.Key.Window, l.Limit, l.Source, counters.Counter(l.Key.Counter, l.Key.Window)))
            .ToList();
        var turns = cells.Where(c => c.Counter == BudgetKey.Turns).ToArray();
        var tokens = cells.Where(c => c.Counter == BudgetKey.Tokens).ToArray();
        var toolCells = cells.Where(c => c.Counter.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal)).ToList();
        FrozenDictionary<string, BudgetCell[]>? tools = null;
        if (toolCells.Count > 0)
        {
            var byAction = new Dictionary<string, BudgetCell[]>(StringComparer.Ordinal);
            foreach (var action in Snapshot.RoleTable.KnownActions.Append(RoleTable.UnlistedToolAction).Distinct(StringComparer.Ordinal))
            {
                if (!action.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var category = action[PolicyActions.ToolPrefix.Length..];
                var matching = toolCells.Where(c => Draws(c.Counter, action, category)).ToArray();
                if (matching.Length > 0)
                {
                    byAction[action] = matching;
                }
            }

            tools = byAction.ToFrozenDictionary(StringComparer.Ordinal);
        }

        return new ProfileBudget(this, subject, profileKey, turns, tokens, tools);
    }

    // 'tool.*' counts every tool call, listed or not; 'tool.web' counts category web and every category under it.
    private static bool Draws(string counter, string action, string category) =>
        counter == "tool.*" || (action != RoleTable.UnlistedToolAction && Configuration.Yaml.BudgetsYamlReader.Covers(counter[PolicyActions.ToolPrefix.Length..], category));
}
