using System.Text;
using Hermes.Identity.PostgreSql.Changes;
using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Internal;
using Hermes.Identity.State;
using Npgsql;
using Microsoft.Extensions.Primitives;
using NpgsqlTypes;

namespace Hermes.Identity.PostgreSql.State;

// The state store in PostgreSQL, shared by every replica. A commit is one transaction that first locks the sequence
// row (SELECT ... FOR UPDATE): commits from every replica queue there, so none can slip between another's checks and
// its writes. Then: check every expected version, apply, bump the sequence, commit. Every record written by one commit
// gets the commit's new sequence value as its version. Durable once COMMIT returns (synchronous_commit, the server's
// default). Failures come out as StateStoreException; a connection lost during COMMIT says the outcome is unknown.
// A commit that touches paired accounts, grants or delegations NOTIFYs the schema's channel in its transaction: every
// replica's listener (ChangeListener) then fires GetChangeToken, and the core reads them again before its next decision.
//
// Ordering: kind and key are COLLATE "C", which orders UTF-8 bytes, i.e. code points; .NET's ordinal order compares
// UTF-16 code units. ListAsync selects a prefix by a code-point range and sorts ordinally in .NET, as the SQLite store does.
internal sealed class PostgreSqlStateStore(PostgreSqlDatabase database, ChangeListener? listener = null) : IIdentityStateStore
{
    internal const int MaxChanges = 64;
    internal static readonly TimeSpan PurgeAfter = TimeSpan.FromHours(1);
    internal const int PurgeEvery = 256;

    private long _commits;

    private string S => database.Schema;

    public async ValueTask<StateRecord?> GetAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        CheckName(kind, nameof(kind));
        CheckName(key, nameof(key));
        return await database.RunAsync("reading a state record", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT data, version, expires_at FROM {S}.state_records WHERE kind = $1 AND key = $2", connection);
            command.Parameters.Add(Text(kind));
            command.Parameters.Add(Text(key));
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new StateRecord(kind, key, reader.GetString(0), reader.GetInt64(1), ExpiresAt(reader, 2))
                : null;
        }, Fail, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<StateRecord>> ListAsync(string kind, string? keyPrefix = null, CancellationToken cancellationToken = default)
    {
        CheckName(kind, nameof(kind));
        if (!string.IsNullOrEmpty(keyPrefix))
        {
            CheckName(keyPrefix, nameof(keyPrefix));
        }

        var prefix = keyPrefix ?? string.Empty;
        var upper = prefix.Length == 0 ? null : SuccessorOfPrefix(prefix);
        var records = await database.RunAsync("listing state records", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand(
                upper is null
                    ? $"SELECT key, data, version, expires_at FROM {S}.state_records WHERE kind = $1 AND key >= $2"
                    : $"SELECT key, data, version, expires_at FROM {S}.state_records WHERE kind = $1 AND key >= $2 AND key < $3",
                connection);
            command.Parameters.Add(Text(kind));
            command.Parameters.Add(Text(prefix));
            if (upper is not null)
            {
                command.Parameters.Add(Text(upper));
            }

            var list = new List<StateRecord>();
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(new StateRecord(kind, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), ExpiresAt(reader, 3)));
            }

            return list;
        }, Fail, cancellationToken).ConfigureAwait(false);
        records.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return records;
    }

    public async ValueTask<bool> TryCommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken = default)
    {
        Validate(changes);
        cancellationToken.ThrowIfCancellationRequested();
        var purge = Interlocked.Increment(ref _commits) % PurgeEvery == 1;
        return await database.RunAsync("a state commit", (connection, ct) => CommitAsync(connection, changes, purge, ct), Fail, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<long> GetSequenceAsync(CancellationToken cancellationToken = default) =>
        await database.RunAsync("reading the state sequence", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT value FROM {S}.state_sequence WHERE id = 1", connection);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long value ? value : 0;
        }, Fail, cancellationToken).ConfigureAwait(false);

    public IChangeToken GetChangeToken() => listener?.StateToken() ?? NeverChanges;

    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);

    // Three round trips: (lock the sequence, count failed expectations), then (purge, delete, insert, bump), then COMMIT.
    private async Task<bool> CommitAsync(NpgsqlConnection connection, IReadOnlyList<StateChange> changes, bool purge, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            long next;
            using (var check = new NpgsqlBatch(connection, transaction))
            {
                check.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT value FROM {S}.state_sequence WHERE id = 1 FOR UPDATE"));
                // Every expectation in one statement: the changes' (kind, key, expected) against the rows there now.
                var conditioned = changes.Where(c => c.ExpectedVersion is not null).ToArray();
                var expectations = new NpgsqlBatchCommand(
                    $"""
                    SELECT count(*) FROM unnest($1::text[], $2::text[], $3::bigint[]) AS c(kind, key, expected)
                    LEFT JOIN {S}.state_records r ON r.kind = c.kind COLLATE "C" AND r.key = c.key COLLATE "C"
                    WHERE coalesce(r.version, 0) <> c.expected
                    """);
                expectations.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. conditioned.Select(c => c.Kind)] });
                expectations.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. conditioned.Select(c => c.Key)] });
                expectations.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. conditioned.Select(c => c.ExpectedVersion!.Value)] });
                check.BatchCommands.Add(expectations);
                long failed;
                using (var reader = await check.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    next = reader.GetInt64(0) + 1;
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    failed = reader.GetInt64(0);
                }

                if (failed > 0)
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return false;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            using (var apply = new NpgsqlBatch(connection, transaction))
            {
                var cutoff = database.Time.GetUtcNow() - PurgeAfter;
                if (purge)
                {
                    // After the checks, before the changes: never removes what this commit writes.
                    var delete = new NpgsqlBatchCommand($"DELETE FROM {S}.state_records WHERE expires_at IS NOT NULL AND expires_at < $1");
                    delete.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cutoff.ToUnixTimeMilliseconds() });
                    apply.BatchCommands.Add(delete);
                }

                var deletes = changes.Where(c => c.IsDelete).ToArray();
                if (deletes.Length > 0)
                {
                    var delete = new NpgsqlBatchCommand(
                        $"DELETE FROM {S}.state_records r USING unnest($1::text[], $2::text[]) AS c(kind, key) WHERE r.kind = c.kind COLLATE \"C\" AND r.key = c.key COLLATE \"C\"");
                    delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deletes.Select(c => c.Kind)] });
                    delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. deletes.Select(c => c.Key)] });
                    apply.BatchCommands.Add(delete);
                }

                var puts = changes.Where(c => !c.IsDelete).ToArray();
                if (puts.Length > 0)
                {
                    var put = new NpgsqlBatchCommand(
                        $"""
                        INSERT INTO {S}.state_records (kind, key, data, version, expires_at)
                        SELECT c.kind, c.key, c.data, $4, c.expires_at FROM unnest($1::text[], $2::text[], $3::text[], $5::bigint[]) AS c(kind, key, data, expires_at)
                        ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, version = excluded.version, expires_at = excluded.expires_at
                        """);
                    put.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. puts.Select(c => c.Kind)] });
                    put.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. puts.Select(c => c.Key)] });
                    put.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. puts.Select(c => c.Data!)] });
                    put.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
                    put.Parameters.Add(new NpgsqlParameter { Value = puts.Select(c => c.ExpiresAt is { } at ? (long?)at.ToUnixTimeMilliseconds() : null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
                    apply.BatchCommands.Add(put);
                }

                var bump = new NpgsqlBatchCommand($"UPDATE {S}.state_sequence SET value = $1 WHERE id = 1");
                bump.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
                apply.BatchCommands.Add(bump);
                if (changes.Any(c => ChangeChannel.IsWatched(c.Kind)))
                {
                    apply.BatchCommands.Add(ChangeChannel.Notify(S, ChangeChannel.State, next));
                }

                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (purge && apply.BatchCommands[0].RecordsAffected is > 0 and var purged)
                {
                    Log.StateRecordsPurged(database.Logger, purged, cutoff, database.Target);
                }
            }

            await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
            return true;
        }
    }

    private Exception Fail(string message, Exception inner) => new StateStoreException(message, inner);

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static DateTimeOffset? ExpiresAt(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static void Validate(IReadOnlyList<StateChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count is 0 or > MaxChanges)
        {
            throw new ArgumentException($"A commit holds 1 to {MaxChanges} changes; this one has {changes.Count}. Split larger work into several commits.", nameof(changes));
        }

        var seen = new HashSet<(string Kind, string Key)>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i] ?? throw new ArgumentException($"Change {i} is null.", nameof(changes));
            CheckName(change.Kind, nameof(changes));
            CheckName(change.Key, nameof(changes));
            if (change.Data is { } data)
            {
                TextRules.Check(data, nameof(changes), $"The data of {change.Kind}/{change.Key}");
            }

            if (!seen.Add((change.Kind, change.Key)))
            {
                throw new ArgumentException($"The commit changes {change.Kind}/{change.Key} twice; a commit holds at most one change per record.", nameof(changes));
            }
        }
    }

    private static void CheckName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        TextRules.Check(value, parameter, $"'{value}'");
    }

    // The least string greater (in code-point order) than every string that starts with prefix, or null when there is
    // none (the prefix is all U+10FFFF): the last code point below U+10FFFF, plus one, with what follows dropped.
    internal static string? SuccessorOfPrefix(string prefix)
    {
        var runes = prefix.EnumerateRunes().ToList();
        while (runes.Count > 0)
        {
            var last = runes[^1].Value;
            runes.RemoveAt(runes.Count - 1);
            if (last < 0x10FFFF)
            {
                var next = last + 1 == 0xD800 ? 0xE000 : last + 1;
                var builder = new StringBuilder(prefix.Length + 1);
                foreach (var rune in runes)
                {
                    builder.Append(rune.ToString());
                }

                return builder.Append(new Rune(next).ToString()).ToString();
            }
        }

        return null;
    }
}
