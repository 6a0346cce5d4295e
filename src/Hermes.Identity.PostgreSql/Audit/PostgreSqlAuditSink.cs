using Hermes.Identity.Audit;
using Hermes.Identity.PostgreSql.Database;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Audit;

// The decision audit in PostgreSQL (AddPostgreSqlAudit): each decision is one call of append_decision (migration 3),
// a statement of its own that locks the chain's head row, appends the record after it and moves the head, committed
// before the decision returns (durable once COMMIT returns: synchronous_commit, the server's default). Every replica
// appends to the same chain. A connection lost on the way is tried again like any unreachable server (the retry policy
// of PostgreSqlOptions), with the same append id: if the first try was committed after all, the second finds its row
// and adds nothing, so an unknown outcome is resolved, never recorded twice. After the retries, the exception makes the
// engine refuse the call.
internal sealed class PostgreSqlAuditSink(PostgreSqlDatabase database) : IDecisionAuditSink
{
    public async ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var body = AuditRecordBody.Write(record);
        var appendId = Guid.CreateVersion7();
        await database.RunAsync("writing a decision to the audit", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT {database.Schema}.append_decision($1, $2)", connection);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = appendId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = body });
            return (long)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, static (message, inner) => new InvalidOperationException(message, inner), cancellationToken).ConfigureAwait(false);
    }
}
