using System.Globalization;
using Hermes.Identity.Audit;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Audit;

/// <summary>
/// Checks the decision audit that <c>AddPostgreSqlAudit</c> keeps in PostgreSQL: one hash chain for every replica, in
/// table <c>decision_audit</c> of the schema. Every record is the line the audit file (<c>audit/decisions.jsonl</c>)
/// would hold, checked by the same rules as <see cref="DecisionLogVerifier"/>: each record's hash covers its content and
/// the previous record's hash, so an edited, deleted, inserted or reordered row breaks the chain; and the chain's head
/// row must name the last record, so rows cut from the end are found too (unless the head was rewritten with them).
/// </summary>
public static class PostgreSqlAuditVerifier
{
    /// <summary>
    /// Reads every record of the audit in <paramref name="schema"/> (in one consistent snapshot, while replicas go on
    /// appending) and checks the chain. Reads the whole table: on a large one, run it where a long read is fine.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string to the database, for a user who may read the schema.</param>
    /// <param name="schema">The schema the audit is in (<see cref="PostgreSqlOptions.Schema"/>); default: <c>hermes</c>.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>
    /// What was found: <see cref="DecisionLogVerification.IsIntact"/>, the record count, the last record's hash, and each
    /// problem naming the row's <c>seq</c>. <see cref="DecisionLogVerification.HasTornLastLine"/> is always false here.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a connection string, or <paramref name="schema"/> is not a valid schema name.</exception>
    /// <exception cref="InvalidOperationException">The database could not be read, or holds no decision audit in <paramref name="schema"/>; the message says which and what to do.</exception>
    public static async Task<DecisionLogVerification> VerifyAsync(string connectionString, string schema = "hermes", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (!PostgreSqlOptionsRules.IsIdentifier(schema))
        {
            throw new ArgumentException($"'{schema}' is not a schema name; use lower-case letters, digits and _, starting with a letter, at most 63 characters (PostgreSqlOptions.Schema).", nameof(schema));
        }

        NpgsqlConnection connection;
        try
        {
            connection = new NpgsqlConnection(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The connection string is not a valid Npgsql connection string: {ex.Message}", nameof(connectionString), ex);
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    return await ReadAsync(connection, schema, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (PostgresException ex) when (ex.SqlState is "42P01" or "3F000")
            {
                throw new InvalidOperationException(
                    $"Schema {schema} of database {connection.Database} holds no decision audit ({ex.MessageText}). It is created by the first " +
                    "decision of a host with AddPostgreSqlAudit(); check the schema name (PostgreSqlOptions.Schema) and the database.", ex);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or IOException)
            {
                throw new InvalidOperationException(
                    $"The decision audit in schema {schema} of database {connection.Database} could not be read: {ex.Message}. " +
                    "Check that the server is running and reachable, the connection string, and the user's rights on the schema.", ex);
            }
        }
    }

    private static async Task<DecisionLogVerification> ReadAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        long headSeq;
        string headHash;
        using (var head = new NpgsqlCommand($"SELECT seq, hash FROM {schema}.decision_audit_head WHERE id = 1", connection))
        using (var reader = await head.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var found = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            headSeq = found ? reader.GetInt64(0) : -1;
            headHash = found ? reader.GetString(1) : string.Empty;
        }

        var problems = new List<string>();
        var expectedSeq = 1L;
        var previous = AuditLine.GenesisHash;
        var count = 0L;
        var lastRow = 0L;
        using (var rows = new NpgsqlCommand($"SELECT seq, record FROM {schema}.decision_audit ORDER BY seq", connection))
        using (var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = reader.GetInt64(0);
                lastRow = row;
                var at = string.Create(CultureInfo.InvariantCulture, $"Row seq {row}");
                if (!AuditLine.TryRead(reader.GetString(1), out var seq, out var prev, out var hash, out var computed))
                {
                    problems.Add($"{at}: not a whole decision record; it was edited or corrupted.");
                    continue;
                }

                count++;
                if (!string.Equals(hash, computed, StringComparison.Ordinal))
                {
                    problems.Add($"{at}: record {seq} was changed after it was written (its hash does not match its content).");
                }

                if (seq != row)
                {
                    problems.Add($"{at}: holds record {seq}: rows were renumbered or moved.");
                }

                if (seq != expectedSeq)
                {
                    problems.Add($"{at}: record {seq} where {expectedSeq} was expected: records were deleted, inserted or reordered.");
                }
                else if (!string.Equals(prev, previous, StringComparison.Ordinal))
                {
                    problems.Add($"{at}: record {seq} does not follow the record before it: the chain is broken there.");
                }

                // Carry on from this record, so one deletion is one problem, not a cascade.
                expectedSeq = seq + 1;
                previous = computed;
            }
        }

        if (headSeq < 0)
        {
            problems.Add("The chain's head row (decision_audit_head) is missing: it was deleted.");
        }
        else if (headSeq != lastRow || !string.Equals(headHash, previous, StringComparison.Ordinal))
        {
            problems.Add(headSeq > lastRow
                ? $"The chain's head names record {headSeq}, but the last row is {lastRow}: records were deleted from the end."
                : $"The chain's head names record {headSeq} with hash {headHash}, but the last row is {lastRow} with hash {previous}: the head or the last records were changed.");
        }

        return new DecisionLogVerification(count, previous, hasTornLastLine: false, problems);
    }
}
