namespace Hermes.Identity.Delegations;

// A delegation a turn may begin from now: the stored delegation, its delegator's profile as the configuration in force
// has it, and that configuration's revision.
internal readonly record struct AdmittedDelegation(Delegation Delegation, AgentProfile Profile, string Revision);
