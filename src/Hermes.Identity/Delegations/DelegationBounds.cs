using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Delegations;

// What a delegation lets a turn do on top of its delegator's own decision: an action covered by its patterns, never
// more; and what a delegation created inside a delegated turn may ask for (patterns each inside one of the parent's).
internal static class DelegationBounds
{
    public const int MaxPatterns = 32;

    // The decision in a delegated turn: the delegator's decision (already made) and the delegation's patterns. A deny
    // stays a deny; an action outside the patterns is denied; an approval is denied, because no one in a job's turn can
    // be asked and an approval bound to a job's call would let the job choose when it runs. Reasons reach the model, so
    // they name the delegation by its short id; the rule id and the audit carry the whole one.
    public static PolicyDecision Apply(Delegation delegation, string action, PolicyDecision decision, List<string>? trail)
    {
        if (decision.Effect == PolicyEffect.Deny)
        {
            return decision;
        }

        if (IsPersonal(action))
        {
            trail?.Add($"Delegation {delegation.Id} (job '{delegation.Job}'): {action} is never delegated.");
            return PolicyDecision.Deny(
                $"{action} is a person's own answer and is never delegated: job '{delegation.Job}' (acting for {delegation.ProfileKey} through delegation " +
                $"{DelegationId.Short(delegation.Id)}) cannot use it, whatever its actions. {delegation.ProfileKey} can do it in their own turn.",
                decision.Revision,
                [.. decision.RuleIds, "delegation:" + delegation.Id]);
        }

        if (!Covers(delegation.Actions, action))
        {
            var reason = $"This turn is job '{delegation.Job}' acting for {delegation.ProfileKey} through delegation {DelegationId.Short(delegation.Id)}, which is limited to " +
                $"{string.Join(", ", delegation.Actions!)}: {action} is not among them, whatever {delegation.ProfileKey} may do. " +
                "A wider delegation must be created by the person in their own turn.";
            trail?.Add($"Delegation {delegation.Id} (job '{delegation.Job}'): {action} is outside its actions [{string.Join(", ", delegation.Actions!)}].");
            return PolicyDecision.Deny(reason, decision.Revision, [.. decision.RuleIds, "delegation:" + delegation.Id]);
        }

        if (decision.Effect == PolicyEffect.RequireApproval)
        {
            trail?.Add($"Delegation {delegation.Id} (job '{delegation.Job}'): a job's turn cannot wait for an approval.");
            return PolicyDecision.Deny(
                $"{action} needs an approval, and job '{delegation.Job}' (acting for {delegation.ProfileKey} through delegation {DelegationId.Short(delegation.Id)}) has nobody to ask: " +
                $"a delegated turn never waits for one. {delegation.ProfileKey} can do it in their own turn. ({decision.Reason})",
                decision.Revision,
                [.. decision.RuleIds, "delegation:" + delegation.Id]);
        }

        trail?.Add($"Delegation {delegation.Id} (job '{delegation.Job}'): {action} is within its actions{(delegation.Actions is null ? " (all the delegator holds)" : string.Empty)}.");
        return decision;
    }

    // Approving someone's call and administering identities (pairing, revoking others' delegations, another person's
    // data) are a person's judgement: no delegation carries them, even one for every action.
    public static bool IsPersonal(string action) =>
        string.Equals(action, PolicyActions.ApprovalGrant, StringComparison.Ordinal) || string.Equals(action, PolicyActions.IdentityAdmin, StringComparison.Ordinal);

    public static bool Covers(IReadOnlyList<string>? patterns, string action)
    {
        if (patterns is null)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (ActionPattern.Matches(pattern, action))
            {
                return true;
            }
        }

        return false;
    }

    // Whether every action `inner` matches is matched by one of `outer` (null: everything).
    public static bool IsWithin(IReadOnlyList<string>? inner, IReadOnlyList<string>? outer)
    {
        if (outer is null)
        {
            return true;
        }

        if (inner is null)
        {
            return false;
        }

        return inner.All(p => outer.Any(o => Subsumes(o, p)));
    }

    // Checks and normalises the patterns a delegation is asked for: null (everything) or 1 to 32 dotted lower-case action
    // names, each optionally ending in ".*", or "*"; duplicates removed, order kept.
    public static IReadOnlyList<string>? Validate(IEnumerable<string>? actions)
    {
        if (actions is null)
        {
            return null;
        }

        var list = new List<string>();
        foreach (var pattern in actions)
        {
            if (!IsPattern(pattern))
            {
                throw new ArgumentException(
                    $"'{(pattern is null ? "(null)" : SenderEnvelope.Printable(pattern))}' is not an action pattern. Use dotted lower-case names, optionally ending in '.*' " +
                    "(tool.web.*, memory.read), or '*' for everything.", nameof(actions));
            }

            if (!list.Contains(pattern, StringComparer.Ordinal))
            {
                list.Add(pattern);
            }
        }

        if (list.Count is 0 or > MaxPatterns)
        {
            throw new ArgumentException(
                $"A delegation is limited to 1 to {MaxPatterns} action patterns ({list.Count} given). Pass null for every action the delegator holds; " +
                "an empty list would allow nothing.", nameof(actions));
        }

        return list;
    }

    private static bool Subsumes(string outer, string inner)
    {
        if (outer == ActionPattern.Everything || string.Equals(outer, inner, StringComparison.Ordinal))
        {
            return true;
        }

        if (!ActionPattern.IsPrefix(outer))
        {
            return false;
        }

        // outer is "a.b.*": it covers "a.b.c", "a.b.c.*", but not "a.*" or "*".
        return inner != ActionPattern.Everything && inner.StartsWith(ActionPattern.PrefixOf(outer), StringComparison.Ordinal);
    }

    private static bool IsPattern(string? pattern)
    {
        if (pattern is null)
        {
            return false;
        }

        if (pattern == ActionPattern.Everything)
        {
            return true;
        }

        var name = ActionPattern.IsPrefix(pattern) ? pattern[..^2] : pattern;
        if (name.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var segment in name.Split('.'))
        {
            if (segment.Length == 0 || !char.IsAsciiLetterLower(segment[0]) || !segment.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
