namespace Hermes.Identity.Configuration.Roles;

// The compiled rules of one role (its own and everything it inherits), or of one identity that adds
// allow/deny rules to its role. Immutable; built once per snapshot.
internal sealed class RoleRules
{
    private readonly PatternSet _allow;
    private readonly PatternSet _deny;
    private readonly PatternSet _approval;

    public RoleRules(int index, string role, string? profileKey, IReadOnlyList<string> chain, IReadOnlyList<CompiledRule> rules)
    {
        Index = index;
        Role = role;
        ProfileKey = profileKey;
        Chain = chain;
        Rules = rules;
        _allow = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.Allow).Select(r => (r.Pattern, r.Id)));
        _deny = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.Deny).Select(r => (r.Pattern, r.Id)));
        _approval = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.RequireApproval).Select(r => (r.Pattern, r.Id)));
        Subject = profileKey is null ? $"role {role}" : $"identity {profileKey} (role {role})";
    }

    /// <summary>The table these rules belong to (one per snapshot): a turn that kept them checks it is still the table in force.</summary>
    public RoleTable? Table { get; private set; }

    /// <summary>Unique within the table: consumers index their per-snapshot caches with it.</summary>
    public int Index { get; }

    /// <summary>The role name.</summary>
    public string Role { get; }

    /// <summary>The identity whose own rules are added to the role's, or <see langword="null"/> for a plain role.</summary>
    public string? ProfileKey { get; }

    /// <summary>How a reason names whose rules these are: <c>role trusted</c>, <c>identity mei (role trusted)</c>.</summary>
    public string Subject { get; }

    /// <summary>The role and the roles it inherits from, nearest first.</summary>
    public IReadOnlyList<string> Chain { get; }

    /// <summary>Every rule, with its id, in no meaningful order.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>Called once, by the table that holds these rules.</summary>
    public void BindTo(RoleTable table)
    {
        if (Table is not null && !ReferenceEquals(Table, table))
        {
            throw new InvalidOperationException("Rules belong to one role table.");
        }

        Table = table;
    }

    /// <summary>Which kinds of rule match <paramref name="action"/>. Allocation-free; cost flat in the number of rules.</summary>
    public RuleEffects Match(string action)
    {
        var effects = RuleEffects.None;
        if (_deny.Matches(action))
        {
            effects |= RuleEffects.Deny;
        }

        if (_allow.Matches(action))
        {
            effects |= RuleEffects.Allow;
        }

        if (_approval.Matches(action))
        {
            effects |= RuleEffects.Approval;
        }

        return effects;
    }

    /// <summary>Every matching rule, by kind, for a decision's rule ids and its explanation.</summary>
    public RuleMatch Explain(string action)
    {
        var allow = new List<string>();
        var deny = new List<string>();
        var approval = new List<string>();
        _allow.CollectMatches(action, allow);
        _deny.CollectMatches(action, deny);
        _approval.CollectMatches(action, approval);
        return new RuleMatch(Match(action), [.. allow], [.. deny], [.. approval]);
    }
}
