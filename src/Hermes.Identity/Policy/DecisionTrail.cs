using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Policy;

// The explanation of one decision, step by step, for ExplainAsync: the subject, the tool's category, the role chain,
// every matching rule and why the result follows. Written only when someone asks for an explanation.
internal static class DecisionTrail
{
    public static void Describe(List<string> trail, IdentitySnapshot snapshot, AgentProfile subject, string action, string? resource, RoleRules rules)
    {
        trail.Add($"Subject: {(subject.IsGuest ? "guest" : "profile")} {subject.Key}; under revision {snapshot.Revision} its rules are those of {rules.Subject}.");
        var isTool = resource is not null && action.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal);
        if (isTool)
        {
            trail.Add(snapshot.RoleTable.TryGetTool(resource!, out var tool)
                ? $"Tool {resource} is listed in category {tool.Category}, so the action is {tool.Action}."
                : $"Tool {resource} is not listed under 'tools:', so the action is {RoleTable.UnlistedToolAction}: only a rule that allows every tool reaches it.");
        }

        if (rules.Chain.Count > 1)
        {
            trail.Add($"Role {rules.Role} inherits, in order: {string.Join(" → ", rules.Chain)}.");
        }

        var match = rules.Explain(action);
        trail.Add(Matches("Deny", match.DenyIds, action));
        trail.Add(Matches("Allow", match.AllowIds, action));
        trail.Add(Matches("Require-approval", match.ApprovalIds, action));
        if (match.IsDenied)
        {
            trail.Add("A deny beats any allow.");
        }
        else if (!match.IsAllowed)
        {
            var what = resource is null ? string.Empty : isTool ? $" (tool {resource})" : $" ({resource})";
            trail.Add($"No rule allows {rules.Subject} to {action}{what}: what is not allowed is denied.");
        }

        static string Matches(string kind, string[] ids, string action) =>
            ids.Length == 0 ? $"{kind} rules matching {action}: none." : $"{kind} rules matching {action}: {string.Join(", ", ids)}.";
    }
}
