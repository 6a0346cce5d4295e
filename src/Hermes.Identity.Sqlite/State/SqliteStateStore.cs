using System.Text;
using Hermes.Identity.Sqlite.Internal;
using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Sqlite.State;

// The state store in one SQLite database, state/identity.db under the data root (WAL; shared safely by several
// processes). A commit is one BEGIN IMMEDIATE transaction: check every expected version, apply, bump the sequence,
// commit. Every record written by one commit gets the same version, the commit's new sequence value. Storage
// errors come out as StateStoreException naming the file and what to check.
//
// Ordering: SQLite compares TEXT byte by byte in UTF-8, which is code-point order; .NET's ordinal order compares
// UTF-16 code units, which differs for characters above U+FFFF against U+E000..U+FFFF. ListAsync selects by prefix
// with a code-point range (a set that does not depend on the order) and sorts the rows ordinally in .NET, so the
// contract's ordinal order holds. Lone surrogates cannot be stored in UTF-8: SQLite would get U+FFFD instead, so
// such keys are refused.
internal sealed class SqliteStateStore : IIdentityStateStore, IDisposable
{
    internal const int MaxChanges = 64;

    // Expired records are deleted this long after they expire, inside a commit every PurgeEvery commits (and the
    // first); never needed for correctness (the core treats an expired record as absent).
    internal static readonly TimeSpan PurgeAfter = TimeSpan.FromHours(1);
    internal const int PurgeEvery = 256;

    private readonly StateConnections _connections;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writers = new(1, 1);
    private long _commits; // under _writers

    public SqliteStateStore(string path, SqliteStateOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        _logger = loggers?.CreateLogger("Hermes.Identity.Sqlite.State") ?? NullLogger.Instance;
        _connections = new StateConnections(Path.GetFullPath(path), options, _logger);
        _time = time ?? TimeProvider.System;
    }

    public string DatabasePath => _connections.Path;

    public static string DatabasePathUnder(string root) => Path.GetFullPath(Path.Combine(root, "state", "identity.db"));

    public ValueTask<StateRecord?> GetAsync(string kind, string key, CancellationToken cancellationToken = default)
    {
        CheckName(kind, nameof(kind));
        CheckName(key, nameof(key));
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Run(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT data, version, expires_at FROM records WHERE kind = $kind AND key = $key";
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$key", key);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StateRecord(kind, key, reader.GetString(0), reader.GetInt64(1), ExpiresAt(reader, 2)) : null;
        }));
    }

    public ValueTask<IReadOnlyList<StateRecord>> ListAsync(string kind, string? keyPrefix = null, CancellationToken cancellationToken = default)
    {
        CheckName(kind, nameof(kind));
        if (!string.IsNullOrEmpty(keyPrefix))
        {
            CheckName(keyPrefix, nameof(keyPrefix));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var prefix = keyPrefix ?? string.Empty;
        var upper = prefix.Length == 0 ? null : SuccessorOfPrefix(prefix);
        var records = Run(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = upper is null
                ? "SELECT key, data, version, expires_at FROM records WHERE kind = $kind AND key >= $from"
                : "SELECT key, data, version, expires_at FROM records WHERE kind = $kind AND key >= $from AND key < $to";
            command.Parameters.AddWithValue("$kind", kind);
            command.Parameters.AddWithValue("$from", prefix);
            if (upper is not null)
            {
                command.Parameters.AddWithValue("$to", upper);
            }

            var list = new List<StateRecord>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(new StateRecord(kind, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), ExpiresAt(reader, 3)));
            }

            return list;
        });
        records.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ValueTask.FromResult<IReadOnlyList<StateRecord>>(records);
    }

    public async ValueTask<bool> TryCommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken = default)
    {
        Validate(changes);
        cancellationToken.ThrowIfCancellationRequested();

        // SQLite lets one writer at a time in: this process's commits queue here, in turn and without holding a
        // thread, and only wait on SQLite's busy handler (BusyTimeout) for other processes' commits.
        await _writers.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var purge = ++_commits % PurgeEvery == 1;
            return Run(connection => Commit(connection, changes, purge, cancellationToken));
        }
        finally
        {
            _writers.Release();
        }
    }

    public ValueTask<long> GetSequenceAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Run(ReadSequence));
    }

    public void Dispose()
    {
        _connections.Dispose();
        _writers.Dispose();
    }

    private bool Commit(SqliteConnection connection, IReadOnlyList<StateChange> changes, bool purge, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE: the write lock is taken before the checks, so no other commit (in any process) can slip
        // between a check and the write it guards.
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT version FROM records WHERE kind = $kind AND key = $key";
            var kind = check.Parameters.Add("$kind", SqliteType.Text);
            var key = check.Parameters.Add("$key", SqliteType.Text);
            foreach (var change in changes)
            {
                if (change.ExpectedVersion is not { } expected)
                {
                    continue;
                }

                kind.Value = change.Kind;
                key.Value = change.Key;
                var current = check.ExecuteScalar() is long version ? version : 0;
                if (current != expected)
                {
                    transaction.Rollback();
                    return false;
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var next = ReadSequence(connection) + 1;
        if (purge)
        {
            // Before the changes are applied, after the checks: never removes what this commit writes, and never
            // fails a check this commit made.
            Purge(connection);
        }

        using (var put = connection.CreateCommand())
        using (var delete = connection.CreateCommand())
        {
            put.CommandText = """
                INSERT INTO records (kind, key, data, version, expires_at) VALUES ($kind, $key, $data, $version, $expires)
                ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data, version = excluded.version, expires_at = excluded.expires_at
                """;
            var putKind = put.Parameters.Add("$kind", SqliteType.Text);
            var putKey = put.Parameters.Add("$key", SqliteType.Text);
            var data = put.Parameters.Add("$data", SqliteType.Text);
            put.Parameters.AddWithValue("$version", next);
            var expires = put.Parameters.Add("$expires", SqliteType.Integer);
            delete.CommandText = "DELETE FROM records WHERE kind = $kind AND key = $key";
            var deleteKind = delete.Parameters.Add("$kind", SqliteType.Text);
            var deleteKey = delete.Parameters.Add("$key", SqliteType.Text);
            foreach (var change in changes)
            {
                if (change.IsDelete)
                {
                    deleteKind.Value = change.Kind;
                    deleteKey.Value = change.Key;
                    delete.ExecuteNonQuery();
                }
                else
                {
                    putKind.Value = change.Kind;
                    putKey.Value = change.Key;
                    data.Value = change.Data;
                    expires.Value = change.ExpiresAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value;
                    put.ExecuteNonQuery();
                }
            }
        }

        using (var bump = connection.CreateCommand())
        {
            bump.CommandText = "UPDATE sequence SET value = $next WHERE id = 1";
            bump.Parameters.AddWithValue("$next", next);
            bump.ExecuteNonQuery();
        }

        transaction.Commit();
        return true;
    }

    private void Purge(SqliteConnection connection)
    {
        var cutoff = _time.GetUtcNow() - PurgeAfter;
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at < $cutoff";
        command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        var count = command.ExecuteNonQuery();
        if (count > 0)
        {
            Log.StateRecordsPurged(_logger, count, cutoff, DatabasePath);
        }
    }

    private static long ReadSequence(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM sequence WHERE id = 1";
        return command.ExecuteScalar() is long value ? value : 0;
    }

    private T Run<T>(Func<SqliteConnection, T> work)
    {
        SqliteConnection? connection = null;
        try
        {
            var lease = _connections.Rent();
            connection = lease.Connection;
            var result = work(connection);
            connection = null;
            _connections.Return(lease);
            return result;
        }
        catch (Exception ex) when (StateStoreErrors.Translate(ex, DatabasePath) is { } error)
        {
            throw error;
        }
        finally
        {
            // After a failure the connection may be in any state: close it rather than hand it out again.
            connection?.Dispose();
        }
    }

    private static DateTimeOffset? ExpiresAt(SqliteDataReader reader, int ordinal) =>
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
            if (!seen.Add((change.Kind, change.Key)))
            {
                throw new ArgumentException($"The commit changes {change.Kind}/{change.Key} twice; a commit holds at most one change per record.", nameof(changes));
            }
        }
    }

    // Kinds and keys are stored as UTF-8, which has no form for a lone surrogate: refuse it rather than store U+FFFD.
    private static void CheckName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (HasLoneSurrogate(value))
        {
            throw new ArgumentException($"'{value}' holds a lone UTF-16 surrogate, which the state store cannot keep; use well-formed text.", parameter);
        }
    }

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }

    // The least string greater (in code-point order) than every string that starts with prefix, or null when there
    // is none (the prefix is all U+10FFFF): the last code point below U+10FFFF, plus one, with what follows dropped.
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
