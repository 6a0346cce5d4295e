using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Policy;

// The explanation of one decision, step by step, for ExplainAsync: the subject, the tool's category, the role chain,
// every matching rule and why the result follows. Written only when someone asks for an explanation.
internal static class DecisionTrail
{
    public static void Describe(List<string> trail, IdentitySnapshot snapshot, AgentProfile subject, SenderEnvelope? sender, string action, string? resource, RoleRules rules)
    {
        trail.Add($"Subject: {(subject.IsGuest ? "guest" : "profile")} {subject.Key}; under revision {snapshot.Revision} its rules are those of {rules.Subject}.");
        Sender(trail, subject, sender, rules);
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

        Conditions(trail, sender, action, rules);
        var match = rules.Explain(action);
        trail.Add(Matches("Deny", match.DenyIds, action));
        trail.Add(Matches("Allow", match.AllowIds, action));
        trail.Add(Matches("Require-approval", match.ApprovalIds, action));
        if (match.IsDenied)
        {
            trail.Add("A deny beats any allow.");
        }
        else if (match.CapRefused)
        {
            trail.Add($"Its own rules allow {action}, but role {rules.Cap!.Role}'s do not, and an automated sender gets only what both allow.");
        }
        else if (!match.IsAllowed)
        {
            var what = resource is null ? string.Empty : isTool ? $" (tool {resource})" : $" ({resource})";
            trail.Add($"No rule allows {rules.Subject} to {action}{what}: what is not allowed is denied.");
        }

        static string Matches(string kind, string[] ids, string action) =>
            ids.Length == 0 ? $"{kind} rules matching {action}: none." : $"{kind} rules matching {action}: {string.Join(", ", ids)}.";
    }

    private static void Sender(List<string> trail, AgentProfile subject, SenderEnvelope? sender, RoleRules rules)
    {
        if (sender is null)
        {
            trail.Add("There is no chat: the decision is made outside a turn, so a condition on the chat does not hold; conditional allows do not apply and conditional denies and require-approvals do (fail closed).");
            return;
        }

        var kind = sender.SenderKind.ToString().ToLowerInvariant();
        trail.Add(!sender.IsAutomated
            ? $"Sender: {sender.Account}, a person, in {CompiledRule.ChatPhrase(sender.ChatKind)}."
            : rules.Cap is { } cap
                ? $"Sender: {sender.Account}, flagged by the platform as automated ({kind}), in {CompiledRule.ChatPhrase(sender.ChatKind)}. Profile {subject.Key} does not accept {kind} senders ('automated:' in identities.yaml), so its rights are capped at role {cap.Role}'s: only what both allow."
                : subject.IsGuest
                    ? $"Sender: {sender.Account}, flagged by the platform as automated ({kind}), in {CompiledRule.ChatPhrase(sender.ChatKind)}; a guest, so it has role guest's rights anyway."
                    : $"Sender: {sender.Account}, flagged by the platform as automated ({kind}), in {CompiledRule.ChatPhrase(sender.ChatKind)}. Profile {subject.Key} accepts {kind} senders ('automated:' in identities.yaml), so its full role applies.");
    }

    // Every rule with a condition on the chat that matches the action: whether its condition holds here, and so whether it counts.
    private static void Conditions(List<string> trail, SenderEnvelope? sender, string action, RoleRules rules)
    {
        var where = sender is null ? "there is no chat" : $"this message is in {CompiledRule.ChatPhrase(sender.ChatKind)}";
        foreach (var rule in rules.Rules.Where(r => r.IsConditional && ActionPattern.Matches(r.Pattern, action)))
        {
            trail.Add(sender is null
                ? $"Rule {rule.Id} holds only in {CompiledRule.ChatPhrase(rule.Chats)}; {where}, so as a {CompiledRule.KindName(rule.Kind).Replace('_', '-')} it applies (fail closed)."
                : $"Rule {rule.Id} holds only in {CompiledRule.ChatPhrase(rule.Chats)}; {where}, so its condition holds and it applies.");
        }

        foreach (var rule in rules.Inactive.Where(r => ActionPattern.Matches(r.Pattern, action)))
        {
            trail.Add(sender is null
                ? $"Rule {rule.Id} holds only in {CompiledRule.ChatPhrase(rule.Chats)}; {where}, so as an allow it does not apply (fail closed)."
                : $"Rule {rule.Id} holds only in {CompiledRule.ChatPhrase(rule.Chats)}; {where}, so its condition does not hold and it does not apply.");
        }
    }
}
