using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Policy;

// The built-in role-based backend: decides from the snapshot's compiled role table. Registered by
// AddHermesIsolation; the engine calls its synchronous path directly with the snapshot it read.
internal sealed class RbacPolicyBackend : IPolicyBackend
{
    private readonly IIdentitySnapshotProvider _snapshots;
    private RbacDecisionCache? _cache;

    public RbacPolicyBackend(IIdentitySnapshotProvider snapshots) => _snapshots = snapshots;

    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var snapshot = _snapshots.Current;
        return new(snapshot.RoleTable.TryGetRules(request.Subject, request.Sender, out var rules, out var problem)
            ? Decide(snapshot, rules, request.Action, request.Resource)
            : PolicyDecision.Deny(problem, snapshot.Revision));
    }

    /// <summary>Decides a call to <paramref name="toolName"/>, listed (<paramref name="tool"/>) or not.</summary>
    public PolicyDecision DecideToolCall(IdentitySnapshot snapshot, RoleRules rules, ToolSlot? tool, string toolName)
    {
        if (tool is null)
        {
            // Any name the model makes up lands here: never cached, so it cannot grow memory.
            return Build(snapshot, rules, RoleTable.UnlistedToolAction, toolName, $"Tool {toolName} is not listed under 'tools:' in the identities file, so ");
        }

        var cache = CacheFor(snapshot);
        return cache.Get(rules.Index, tool.Slot) ?? cache.Set(rules.Index, tool.Slot, Build(snapshot, rules, tool.Action, toolName, null));
    }

    /// <summary>Decides <paramref name="action"/>; a <c>tool.*</c> action with a resource is a tool call and must match the tool's category.</summary>
    public PolicyDecision Decide(IdentitySnapshot snapshot, RoleRules rules, string action, string? resource)
    {
        var table = snapshot.RoleTable;
        if (resource is not null && action.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal))
        {
            table.TryGetTool(resource, out var tool);
            var expected = tool?.Action ?? RoleTable.UnlistedToolAction;
            return string.Equals(expected, action, StringComparison.Ordinal)
                ? DecideToolCall(snapshot, rules, tool, resource)
                : PolicyDecision.Deny($"Tool {resource} is {expected}, not {action}: a tool call is judged by the tool's own category.", snapshot.Revision);
        }

        var slot = table.ActionSlot(action);
        if (slot < 0)
        {
            return Build(snapshot, rules, action, null, null);
        }

        var cache = CacheFor(snapshot);
        return cache.Get(rules.Index, slot) ?? cache.Set(rules.Index, slot, Build(snapshot, rules, action, null, null));
    }

    private RbacDecisionCache CacheFor(IdentitySnapshot snapshot)
    {
        var cache = Volatile.Read(ref _cache);
        if (cache is null || !ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = new RbacDecisionCache(snapshot);
            Volatile.Write(ref _cache, cache);
        }

        return cache;
    }

    private static PolicyDecision Build(IdentitySnapshot snapshot, RoleRules rules, string action, string? toolName, string? preface)
    {
        var match = rules.Explain(action);
        var what = toolName is null ? action : $"{action} (tool {toolName})";
        var (effect, reason) = match switch
        {
            { IsDenied: true } => (PolicyEffect.Deny, $"{Capitalize(rules.Subject)} is denied {what} by {string.Join(", ", match.DenyIds)}."),
            { NeedsApproval: true } => (PolicyEffect.RequireApproval, $"{Capitalize(rules.Subject)} may use {what} only with an approval from someone who holds {PolicyActions.ApprovalGrant}."),
            { IsAllowed: true } => (PolicyEffect.Allow, $"{Capitalize(rules.Subject)} is allowed {what} by {string.Join(", ", match.AllowIds)}."),
            { CapRefused: true } => (PolicyEffect.Deny, $"{preface}{rules.Subject} is not allowed {what}: the sender is automated (a bot, webhook or relay) and the identity does not accept it with 'automated:', so it gets at most role {rules.Cap!.Role}'s rights, and no rule of role {rules.Cap.Role} allows {action}."),
            _ => (PolicyEffect.Deny, $"{preface}no rule allows {rules.Subject} to {what}.{NotHere(rules, action)}"),
        };
        return new PolicyDecision(effect, Capitalize(reason), match.DecidingIds, snapshot.Revision);
    }

    // A default deny where a conditional allow would have allowed in another kind of chat says so.
    private static string NotHere(RoleRules rules, string action)
    {
        var inactive = rules.InactiveMatches(action, RuleKind.Allow).ToList();
        return inactive.Count == 0
            ? string.Empty
            : $" {string.Join(", ", inactive.Select(r => r.Id))} would allow it, but only in {string.Join(" or ", inactive.Select(r => CompiledRule.ChatPhrase(r.Chats)).Distinct())}.";
    }

    private static string Capitalize(string s) => s.Length > 0 && char.IsAsciiLetterLower(s[0]) ? char.ToUpperInvariant(s[0]) + s[1..] : s;
}
