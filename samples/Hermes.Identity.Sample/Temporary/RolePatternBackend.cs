using Hermes.Identity.Policy;

namespace Hermes.Identity.Sample.Temporary;

/// <summary>
/// TEMPORARY, until the RBAC backend lands on main: decides by the role's allow/deny/require_approval
/// patterns from identities.yaml (with inheritance) and the person's own allow/deny. Deny beats allow;
/// no allow means deny. Replace with <c>AddHermesIsolation()</c>'s built-in RBAC backend.
/// </summary>
public sealed class RolePatternBackend(IIdentitySnapshotProvider snapshots) : IPolicyBackend
{
    /// <inheritdoc />
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        var snapshot = snapshots.Current;
        var profile = request.Subject;
        var allow = new List<string>(profile.Allow);
        var deny = new List<string>(profile.Deny);
        var approval = new List<string>();
        for (var role = profile.Role; role is not null && snapshot.Roles.TryGetValue(role, out var definition); role = definition.Inherits)
        {
            allow.AddRange(definition.Allow);
            deny.AddRange(definition.Deny);
            approval.AddRange(definition.RequireApproval);
        }

        var what = request.Resource is null ? request.Action : $"{request.Action} ({request.Resource})";
        if (deny.FirstOrDefault(p => Matches(p, request.Action)) is { } denied)
        {
            return new(PolicyDecision.Deny($"Role '{profile.Role}' denies {what}.", snapshot.Revision, [$"{profile.Role}:deny:{denied}"]));
        }

        if (allow.FirstOrDefault(p => Matches(p, request.Action)) is not { } allowed)
        {
            return new(PolicyDecision.Deny($"Role '{profile.Role}' does not allow {what}.", snapshot.Revision));
        }

        if (approval.FirstOrDefault(p => Matches(p, request.Action)) is { } needsApproval)
        {
            return new(new PolicyDecision(PolicyEffect.RequireApproval, $"Role '{profile.Role}' may do {what} once someone allowed to approve it does.", [$"{profile.Role}:approval:{needsApproval}"], snapshot.Revision));
        }

        return new(PolicyDecision.Allow($"Role '{profile.Role}' allows {what}.", snapshot.Revision, [$"{profile.Role}:allow:{allowed}"]));
    }

    private static bool Matches(string pattern, string action) =>
        pattern == "*"
        || (pattern.EndsWith(".*", StringComparison.Ordinal) && action.StartsWith(pattern[..^1], StringComparison.Ordinal))
        || string.Equals(pattern, action, StringComparison.Ordinal);
}
