namespace Hermes.Identity.Configuration.Roles;

// The three lists a role or an identity can carry.
internal enum RuleKind
{
    Allow,
    Deny,
    RequireApproval,
}
