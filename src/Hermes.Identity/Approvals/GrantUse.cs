namespace Hermes.Identity.Approvals;

// A live grant found for one call: the allow it stands for, and the roles' own answer, which stands if the grant
// cannot be used after all (used up, revoked or expired meanwhile, or its issuer no longer holds the action).
internal sealed record GrantUse(string Id, string Profile, string Action, string? Resource, PolicyDecision Decision, PolicyDecision Original);
