using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Memory;

// A small real backend for the memory tests: each role allows a list of patterns (exact, "prefix.*"
// or "*"); everything else is denied. Stands in for the RBAC backend until it lands.
internal sealed class RolePatternBackend(IReadOnlyDictionary<string, string[]> allowByRole) : IPolicyBackend
{
    public static RolePatternBackend Default { get; } = new(new Dictionary<string, string[]>
    {
        ["owner"] = ["*"],
        ["trusted"] = ["memory.read", "memory.write"],
        ["guest"] = ["memory.read", "memory.write"],
        ["reader"] = ["memory.read", "memory.write", "memory.shared.read"],
        ["mute"] = [],
    });

    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        var patterns = allowByRole.TryGetValue(request.Subject.Role, out var p) ? p : [];
        var rule = patterns.FirstOrDefault(pattern => Matches(pattern, request.Action));
        return new(rule is null
            ? PolicyDecision.Deny($"Role {request.Subject.Role} is not allowed {request.Action}.")
            : PolicyDecision.Allow($"Role {request.Subject.Role} allows {rule}.", ruleIds: [$"{request.Subject.Role}:{rule}"]));
    }

    private static bool Matches(string pattern, string action) =>
        pattern == "*" || pattern == action ||
        (pattern.EndsWith(".*", StringComparison.Ordinal) && action.StartsWith(pattern[..^1], StringComparison.Ordinal));
}
