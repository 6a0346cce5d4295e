namespace Hermes.Identity.Configuration.Roles;

// The compiled rules of one role (its own and everything it inherits), or of one identity that adds allow/deny rules
// to its role, in one context: the rules in force in some kinds of chat (RuleFamily makes one per context), and, for an
// automated sender the identity does not accept, capped at the guest role's rules in the same context. Immutable; built
// once per snapshot.
internal sealed class RoleRules
{
    private readonly PatternSet _allow;
    private readonly PatternSet _deny;
    private readonly PatternSet _approval;

    public RoleRules(int index, string role, string? profileKey, IReadOnlyList<string> chain, IReadOnlyList<CompiledRule> rules, IReadOnlyList<CompiledRule>? inactive = null)
    {
        Index = index;
        Role = role;
        ProfileKey = profileKey;
        Chain = chain;
        Rules = rules;
        Inactive = inactive ?? [];
        _allow = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.Allow).Select(r => (r.Pattern, r.Id)));
        _deny = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.Deny).Select(r => (r.Pattern, r.Id)));
        _approval = PatternSet.Compile(rules.Where(r => r.Kind == RuleKind.RequireApproval).Select(r => (r.Pattern, r.Id)));
        Subject = profileKey is null ? $"role {role}" : $"identity {profileKey} (role {role})";
    }

    /// <summary>The rules of <paramref name="uncapped"/>, capped at <paramref name="cap"/>: allowed only what both allow.</summary>
    public RoleRules(int index, RoleRules uncapped, RoleRules cap)
    {
        Index = index;
        Role = uncapped.Role;
        ProfileKey = uncapped.ProfileKey;
        Chain = uncapped.Chain;
        Rules = uncapped.Rules;
        Inactive = uncapped.Inactive;
        _allow = uncapped._allow;
        _deny = uncapped._deny;
        _approval = uncapped._approval;
        Cap = cap;
        Subject = $"{uncapped.Subject} (automated sender: at most role {cap.Role})";
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

    /// <summary>Every rule in force in this context, with its id, in no meaningful order.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The conditional rules of the same role or identity that are not in force in this context.</summary>
    public IReadOnlyList<CompiledRule> Inactive { get; }

    /// <summary>The guest role's rules these are capped at (an automated sender), or <see langword="null"/>.</summary>
    public RoleRules? Cap { get; }

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
        var effects = MatchOwn(action);
        return Cap is null ? effects : Capped(effects, Cap.Match(action));
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
        var own = MatchOwn(action);
        if (Cap is null)
        {
            return new RuleMatch(own, [.. allow], [.. deny], [.. approval], capRefused: false);
        }

        // Capped: a deny or an approval of either counts; the allows cited are both sides', since both must allow.
        var cap = Cap.Explain(action);
        var effects = Capped(own, cap.Effects);
        return new RuleMatch(effects, [.. allow, .. cap.AllowIds], [.. deny, .. cap.DenyIds], [.. approval, .. cap.ApprovalIds], capRefused: (own & RuleEffects.Allow) != 0 && (cap.Effects & RuleEffects.Allow) == 0);
    }

    /// <summary>The conditional rules matching <paramref name="action"/> that are not in force here, of <paramref name="kind"/>.</summary>
    public IEnumerable<CompiledRule> InactiveMatches(string action, RuleKind kind) =>
        Inactive.Where(r => r.Kind == kind && ActionPattern.Matches(r.Pattern, action));

    private RuleEffects MatchOwn(string action)
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

    // Allowed only if both allow; a deny or an approval on either side applies.
    private static RuleEffects Capped(RuleEffects own, RuleEffects cap) =>
        ((own | cap) & (RuleEffects.Deny | RuleEffects.Approval)) | (own & cap & RuleEffects.Allow);
}
