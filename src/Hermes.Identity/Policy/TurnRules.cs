using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Policy;

// The rules a turn keeps when the table in force is a view of a directory version (RoleTable.WithDirectory): the view
// they were looked up under, so the next directory version looks them up again.
internal sealed record TurnRules(RoleRules Rules, RoleTable Table);
