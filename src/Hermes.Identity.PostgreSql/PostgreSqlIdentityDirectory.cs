using System.Runtime.CompilerServices;
using Hermes.Identity.Directories;
using Hermes.Identity.PostgreSql.Changes;
using Hermes.Identity.PostgreSql.Database;
using Microsoft.Extensions.Primitives;
using Npgsql;

namespace Hermes.Identity.PostgreSql;

/// <summary>
/// The identity directory on PostgreSQL, shared by every replica: people (key, role, display name, accounts) in the
/// schema's <c>directory_people</c> table, with the methods that add, change and remove them. Registered as a singleton
/// by <c>AddPostgreSqlDirectory()</c>; get it from the services to write. Each write moves the directory's version once,
/// commits whole and sends a <c>NOTIFY</c> in its transaction, so every replica applies it before its next decision
/// (this one when the write returns). Thread-safe; see docs/directory.md and docs/postgresql.md.
/// </summary>
public sealed class PostgreSqlIdentityDirectory : IIdentityDirectory
{
    private const string Columns = "key, role, display_name, accounts";

    private readonly PostgreSqlDatabase _database;
    private readonly ChangeListener _listener;

    internal PostgreSqlIdentityDirectory(PostgreSqlDatabase database, ChangeListener listener)
    {
        _database = database;
        _listener = listener;
    }

    private string S => _database.Schema;

    /// <summary>Adds <paramref name="person"/>, or replaces the entry of the same key (role, display name and accounts).</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>The directory's version after the write.</returns>
    /// <exception cref="InvalidOperationException">An account is another person's in the directory: remove it there first. Nothing is written.</exception>
    /// <exception cref="ArgumentException">The role or display name holds a NUL character or a lone surrogate (PostgreSQL text cannot keep them).</exception>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries (<see cref="PostgreSqlOptions.MaxRetries"/>), refused the write, or failed during COMMIT (then the write may or may not have been applied: read it again).</exception>
    public ValueTask<long> SetAsync(DirectoryPerson person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        return SetManyAsync([person], cancellationToken);
    }

    /// <summary>
    /// Adds or replaces every person of <paramref name="people"/> in one transaction, which moves the version once: all of
    /// them or none. For imports: send a million people in batches of about 100,000.
    /// </summary>
    /// <param name="people">The people; a key given twice: the last entry wins.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>The directory's version after the write.</returns>
    /// <exception cref="InvalidOperationException">An account is another person's in the directory (or twice in <paramref name="people"/>): nothing is written.</exception>
    /// <exception cref="ArgumentException">A role or display name holds a NUL character or a lone surrogate.</exception>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, refused the write, or failed during COMMIT.</exception>
    public async ValueTask<long> SetManyAsync(IEnumerable<DirectoryPerson> people, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(people);
        var byKey = new Dictionary<string, DirectoryPerson>(StringComparer.Ordinal);
        foreach (var person in people)
        {
            ArgumentNullException.ThrowIfNull(person, nameof(people));
            TextRules.Check(person.Role, nameof(people), $"The role of directory person '{person.Key}'");
            TextRules.Check(person.DisplayName, nameof(people), $"The display name of directory person '{person.Key}'");
            byKey[person.Key] = person;
        }

        var batch = byKey.Values.ToArray();
        var accounts = new List<string>();
        var owners = new List<string>();
        var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var person in batch)
        {
            foreach (var account in person.Accounts)
            {
                if (claimed.TryGetValue(account, out var other) && !string.Equals(other, person.Key, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Account {account} is given to both '{other}' and '{person.Key}' in one write; an account is one person's. Nothing was written.");
                }

                if (claimed.TryAdd(account, person.Key))
                {
                    accounts.Add(account);
                    owners.Add(person.Key);
                }
            }
        }

        if (batch.Length == 0)
        {
            return await GetVersionAsync(cancellationToken).ConfigureAwait(false);
        }

        var version = await _database.RunAsync("a directory write", async (connection, ct) =>
        {
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var next = await NextVersionAsync(connection, transaction, ct).ConfigureAwait(false);
                string[] keys = [.. batch.Select(p => p.Key)];
                // An account held by someone outside this write is refused; one held by a person of this write is free
                // (their old accounts are unlinked below).
                using (var check = new NpgsqlCommand(
                    $"""
                    SELECT c.account, a.key FROM unnest($1::text[], $2::text[]) AS c(account, key)
                    JOIN {S}.directory_accounts a ON a.account = c.account COLLATE "C"
                    WHERE a.key <> c.key COLLATE "C" AND NOT (a.key = ANY($3::text[]))
                    LIMIT 1
                    """,
                    connection,
                    transaction))
                {
                    check.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. accounts] });
                    check.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. owners] });
                    check.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
                    using var reader = await check.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        var account = reader.GetString(0);
                        var other = reader.GetString(1);
                        var key = claimed[account];
                        throw new InvalidOperationException(
                            $"Account {account} is already '{other}''s in the identity directory, so it cannot be '{key}''s too: remove it from '{other}' first. Nothing was written.");
                    }
                }

                using (var apply = new NpgsqlBatch(connection, transaction))
                {
                    var unlink = new NpgsqlBatchCommand($"DELETE FROM {S}.directory_accounts WHERE key = ANY($1::text[])");
                    unlink.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
                    apply.BatchCommands.Add(unlink);

                    var link = new NpgsqlBatchCommand($"INSERT INTO {S}.directory_accounts (account, key) SELECT * FROM unnest($1::text[], $2::text[])");
                    link.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. accounts] });
                    link.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. owners] });
                    apply.BatchCommands.Add(link);

                    var upsert = new NpgsqlBatchCommand(
                        $"""
                        INSERT INTO {S}.directory_people (key, role, display_name, accounts, version)
                        SELECT c.key, c.role, c.name, string_to_array(c.accounts, E'\n'), $5
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS c(key, role, name, accounts)
                        ON CONFLICT (key) DO UPDATE SET role = excluded.role, display_name = excluded.display_name, accounts = excluded.accounts, version = excluded.version
                        """);
                    upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
                    upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => p.Role)] });
                    upsert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. batch.Select(p => string.Equals(p.DisplayName, p.Key, StringComparison.Ordinal) ? null : p.DisplayName)] });
                    upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(p => string.Join('\n', p.Accounts))] });
                    upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
                    apply.BatchCommands.Add(upsert);

                    var unremove = new NpgsqlBatchCommand($"DELETE FROM {S}.directory_removed WHERE key = ANY($1::text[])");
                    unremove.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys });
                    apply.BatchCommands.Add(unremove);
                    apply.BatchCommands.Add(ChangeChannel.Notify(S, ChangeChannel.Directory, next));
                    await apply.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                ct.ThrowIfCancellationRequested();
                await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
                return next;
            }
        }, Fail, cancellationToken).ConfigureAwait(false);
        await _listener.DirectoryChangedAsync().ConfigureAwait(false);
        return version;
    }

    /// <summary>Removes the person of key <paramref name="key"/> and frees their accounts.</summary>
    /// <param name="key">The profile key.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>Whether there was such a person.</returns>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, refused the write, or failed during COMMIT.</exception>
    public async ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        TextRules.Check(key, nameof(key), "The key");
        var removed = await _database.RunAsync("a directory removal", async (connection, ct) =>
        {
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var next = await NextVersionAsync(connection, transaction, ct).ConfigureAwait(false);
                using (var delete = new NpgsqlCommand($"DELETE FROM {S}.directory_people WHERE key = $1", connection, transaction))
                {
                    delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
                    if (await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
                    {
                        await transaction.RollbackAsync(ct).ConfigureAwait(false); // the version does not move
                        return false;
                    }
                }

                using (var apply = new NpgsqlBatch(connection, transaction))
                {
                    var unlink = new NpgsqlBatchCommand($"DELETE FROM {S}.directory_accounts WHERE key = $1");
                    unlink.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
                    apply.BatchCommands.Add(unlink);
                    var log = new NpgsqlBatchCommand($"INSERT INTO {S}.directory_removed (key, version) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET version = excluded.version");
                    log.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
                    log.Parameters.Add(new NpgsqlParameter<long> { TypedValue = next });
                    apply.BatchCommands.Add(log);
                    apply.BatchCommands.Add(ChangeChannel.Notify(S, ChangeChannel.Directory, next));
                    await apply.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                ct.ThrowIfCancellationRequested();
                await PostgreSqlDatabase.CommitAsync(transaction).ConfigureAwait(false);
                return true;
            }
        }, Fail, cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            await _listener.DirectoryChangedAsync().ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>The entry of key <paramref name="key"/>, or <see langword="null"/>.</summary>
    /// <param name="key">The profile key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The person, or <see langword="null"/>.</returns>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, or refused the read.</exception>
    public async ValueTask<DirectoryPerson?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        TextRules.Check(key, nameof(key), "The key");
        return await _database.RunAsync("reading a directory person", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT {Columns} FROM {S}.directory_people WHERE key = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            string? role = null;
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader, ref role) : null;
        }, Fail, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, or refused the read.</exception>
    public async ValueTask<long> GetVersionAsync(CancellationToken cancellationToken = default) =>
        await _database.RunAsync("reading the directory version", (connection, ct) => ReadVersionAsync(connection, null, ct), Fail, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>Everyone is read in one query (and retried whole on a lost connection), then handed out.</remarks>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, or refused the read.</exception>
    public async IAsyncEnumerable<DirectoryPerson> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var people = await _database.RunAsync("reading the directory", async (connection, ct) =>
        {
            using var command = new NpgsqlCommand($"SELECT {Columns} FROM {S}.directory_people", connection);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<DirectoryPerson>();
            string? role = null;
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(Read(reader, ref role));
            }

            return list;
        }, Fail, cancellationToken).ConfigureAwait(false);

        foreach (var person in people)
        {
            yield return person;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">PostgreSQL could not be reached after the retries, or refused the read.</exception>
    public async ValueTask<DirectoryChanges?> GetChangesAsync(long sinceVersion, CancellationToken cancellationToken = default) =>
        await _database.RunAsync("reading the directory's changes", async (connection, ct) =>
        {
            // One snapshot for the version and the rows: a write committing meanwhile is in all three reads or in none.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var version = await ReadVersionAsync(connection, transaction, ct).ConfigureAwait(false);
                if (version <= sinceVersion)
                {
                    return new DirectoryChanges(version, [], []);
                }

                var changed = new List<DirectoryPerson>();
                var removed = new List<string>();
                using (var command = new NpgsqlCommand($"SELECT {Columns} FROM {S}.directory_people WHERE version > $1", connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sinceVersion });
                    using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    string? role = null;
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        changed.Add(Read(reader, ref role));
                    }
                }

                using (var command = new NpgsqlCommand($"SELECT key FROM {S}.directory_removed WHERE version > $1", connection, transaction))
                {
                    command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sinceVersion });
                    using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        removed.Add(reader.GetString(0));
                    }
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return (DirectoryChanges?)new DirectoryChanges(version, changed, removed);
            }
        }, Fail, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A token that fires after a directory write commits, made by this replica (before the write returns) or by another
    /// one (when its <c>NOTIFY</c> arrives on this replica's listening connection, and after that connection is made
    /// again, since notifications may have been missed meanwhile).
    /// </summary>
    /// <returns>The token for the next change.</returns>
    public IChangeToken GetChangeToken() => _listener.DirectoryToken();

    private static Exception Fail(string message, Exception inner) => new IOException(message, inner);

    // One row; the role string of the row before is reused when equal (most people share a few roles).
    private static DirectoryPerson Read(NpgsqlDataReader reader, ref string? lastRole)
    {
        var role = reader.GetString(1);
        if (string.Equals(role, lastRole, StringComparison.Ordinal))
        {
            role = lastRole!;
        }
        else
        {
            lastRole = role;
        }

        return new DirectoryPerson(reader.GetString(0), role, reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<string[]>(3));
    }

    // Moves the version under its row lock: writers from every replica queue here until the one before commits.
    private async Task<long> NextVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand($"UPDATE {S}.directory_version SET value = value + 1 WHERE id = 1 RETURNING value", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<long> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand($"SELECT value FROM {S}.directory_version WHERE id = 1", connection, transaction);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
