namespace Hermes.Identity.PostgreSql.Database;

// The database was migrated by a newer version of the package than this one: refused, never retried. The stores
// throw their own exception type with this message.
internal sealed class SchemaTooNewException(string message) : Exception(message);
