namespace Hermes.Identity.PostgreSql.Database;

// The connection failed after COMMIT was sent: the transaction may or may not have been applied. Never retried (a
// retry could apply it twice, or report a refusal for a change that was applied); the stores say so in their message.
internal sealed class OutcomeUnknownException(Exception inner) : Exception(inner.Message, inner);
