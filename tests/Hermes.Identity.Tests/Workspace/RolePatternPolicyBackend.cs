using System.Collections.Concurrent;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Workspace;

// A small real backend for these tests until the RBAC backend lands: allows what the subject's role
// (from the snapshot) or the profile allows, denies what either denies, and records every request.
internal sealed class RolePatternPolicyBackend(IIdentitySnapshotProvider snapshots) : IPolicyBackend
{
    public ConcurrentQueue<PolicyRequest> Requests { get; } = new();

    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Enqueue(request);
        var role = snapshots.Current.Roles.TryGetValue(request.Subject.Role, out var r) ? r : null;
        var denied = Matches(request.Subject.Deny, request.Action) || (role is not null && Matches(role.Deny, request.Action));
        var allowed = Matches(request.Subject.Allow, request.Action) || (role is not null && Matches(role.Allow, request.Action));
        return ValueTask.FromResult(!denied && allowed
            ? PolicyDecision.Allow($"Role {request.Subject.Role} allows {request.Action}.")
            : PolicyDecision.Deny($"Role {request.Subject.Role} does not allow {request.Action}."));
    }

    private static bool Matches(IReadOnlyList<string> patterns, string action) => patterns.Any(p =>
        p == "*" || p == action || (p.EndsWith(".*", StringComparison.Ordinal) && action.StartsWith(p[..^1], StringComparison.Ordinal)));
}
