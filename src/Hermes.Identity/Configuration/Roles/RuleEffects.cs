namespace Hermes.Identity.Configuration.Roles;

// Which kinds of rule matched an action. Deny beats Allow; Approval matters only when allowed.
[Flags]
internal enum RuleEffects : byte
{
    None = 0,
    Allow = 1,
    Deny = 2,
    Approval = 4,
}
