using Hermes.Identity.Policy;

namespace Hermes.Identity.Sqlite.Tests;

// A small real policy backend for these tests (the RBAC backend lives in the core): each role is allowed
// the actions matching its patterns ("x.*" matches x.anything, "*" everything); nothing else.
internal sealed class RoleGrantsBackend(IReadOnlyDictionary<string, string[]> grants) : IPolicyBackend
{
    public static RoleGrantsBackend CreateDefault() => new(new Dictionary<string, string[]>
    {
        ["owner"] = ["*"],
        ["trusted"] = ["memory.*", "workspace.*", "tool.files.*", "tool.sessions"],
        ["guest"] = ["memory.read", "workspace.read", "tool.sessions"],
    });

    public List<PolicyRequest> Requests { get; } = [];

    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        lock (Requests)
        {
            Requests.Add(request);
        }

        var patterns = grants.TryGetValue(request.Subject.Role, out var p) ? p : [];
        var match = patterns.FirstOrDefault(pattern => Matches(pattern, request.Action));
        return ValueTask.FromResult(match is null
            ? PolicyDecision.Deny($"Role '{request.Subject.Role}' is not granted '{request.Action}'.")
            : PolicyDecision.Allow($"Role '{request.Subject.Role}' is granted '{match}'.", ruleIds: [request.Subject.Role + ":" + match]));
    }

    private static bool Matches(string pattern, string action) =>
        pattern == "*" || pattern == action || (pattern.EndsWith(".*", StringComparison.Ordinal) && action.StartsWith(pattern[..^1], StringComparison.Ordinal));
}
