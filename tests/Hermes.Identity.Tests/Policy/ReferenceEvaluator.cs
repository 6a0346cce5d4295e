using Hermes.Identity;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Policy;

// The plain evaluator the compiled table is checked against: scans every rule of the role, the roles
// it inherits and the identity, on every check. Obviously right, and slow on purpose.
internal static class ReferenceEvaluator
{
    public static PolicyEffect Decide(IReadOnlyDictionary<string, RoleDefinition> roles, string role, IEnumerable<string> identityAllow, IEnumerable<string> identityDeny, string action)
    {
        var allow = new List<string>(identityAllow);
        var deny = new List<string>(identityDeny);
        var approval = new List<string>();
        var seen = new HashSet<string>();
        for (string? current = role; current is not null && seen.Add(current) && roles.TryGetValue(current, out var definition); current = definition.Inherits)
        {
            allow.AddRange(definition.Allow);
            deny.AddRange(definition.Deny);
            approval.AddRange(definition.RequireApproval);
        }

        if (deny.Any(p => Matches(p, action)))
        {
            return PolicyEffect.Deny;
        }

        if (!allow.Any(p => Matches(p, action)))
        {
            return PolicyEffect.Deny;
        }

        return approval.Any(p => Matches(p, action)) ? PolicyEffect.RequireApproval : PolicyEffect.Allow;
    }

    public static bool Matches(string pattern, string action)
    {
        if (pattern == "*" || pattern == action)
        {
            return true;
        }

        return pattern.EndsWith(".*", StringComparison.Ordinal) && action.StartsWith(pattern.Substring(0, pattern.Length - 1), StringComparison.Ordinal);
    }
}
