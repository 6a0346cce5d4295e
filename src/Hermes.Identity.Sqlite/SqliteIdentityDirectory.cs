using System.Runtime.CompilerServices;
using System.Text;
using Hermes.Identity.Directories;
using Hermes.Identity.Sqlite.People;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Primitives;
using SQLitePCL;

namespace Hermes.Identity.Sqlite;

/// <summary>
/// The embedded identity directory: people in one SQLite file (<c>state/directory.db</c> under the data root with
/// <c>AddSqliteDirectory()</c>), with the methods that add, change and remove them. Several processes may share the
/// file: each write moves the directory's version once and commits whole, and every process following the file sees it
/// within its refresh interval (this process at once). Thread-safe; see docs/directory.md.
/// </summary>
public sealed class SqliteIdentityDirectory : IIdentityDirectory, IDisposable
{
    private readonly string _connectionString;
    private readonly Lock _setUp = new();
    private volatile bool _ready;
    private readonly Lock _signalling = new();
    private CancellationTokenSource _changed = new();

    /// <summary>Opens (on first use, creating it and its folder if missing) the directory database at <paramref name="databasePath"/>.</summary>
    /// <param name="databasePath">The database file; relative paths are taken from the current directory.</param>
    /// <exception cref="ArgumentException"><paramref name="databasePath"/> is empty.</exception>
    public SqliteIdentityDirectory(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>The database file under a data root: <c>&lt;root&gt;/state/directory.db</c>, what <c>AddSqliteDirectory()</c> uses.</summary>
    /// <param name="root">The data root.</param>
    /// <returns>The full path.</returns>
    public static string DatabasePathUnder(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        return Path.GetFullPath(Path.Combine(root, "state", "directory.db"));
    }

    /// <summary>Adds <paramref name="person"/>, or replaces the entry of the same key (role, display name and accounts).</summary>
    /// <param name="person">The person.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>The directory's version after the write.</returns>
    /// <exception cref="InvalidOperationException">An account is another person's in the directory: remove it there first.</exception>
    /// <exception cref="SqliteException">The database cannot be written (busy past 30 seconds, disk full, read-only).</exception>
    public ValueTask<long> SetAsync(DirectoryPerson person, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(person);
        return SetManyAsync([person], cancellationToken);
    }

    /// <summary>
    /// Adds or replaces every person of <paramref name="people"/> in one transaction, which moves the version once: all of
    /// them or none. For imports: a million people take tens of seconds.
    /// </summary>
    /// <param name="people">The people; a key given twice: the last entry wins.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>The directory's version after the write.</returns>
    /// <exception cref="InvalidOperationException">An account is another person's in the directory (or twice in <paramref name="people"/>): nothing is written.</exception>
    /// <exception cref="SqliteException">The database cannot be written.</exception>
    public ValueTask<long> SetManyAsync(IEnumerable<DirectoryPerson> people, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(people);
        long version;
        using (var connection = Open())
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            version = NextVersion(connection, transaction);
            using var findOld = Command(connection, transaction, "SELECT accounts FROM people WHERE key = $key;", "$key");
            using var unlink = Command(connection, transaction, "DELETE FROM accounts WHERE account = $account AND key = $key;", "$account", "$key");
            using var link = Command(connection, transaction, "INSERT INTO accounts (account, key) VALUES ($account, $key) ON CONFLICT (account) DO NOTHING RETURNING key;", "$account", "$key");
            using var owner = Command(connection, transaction, "SELECT key FROM accounts WHERE account = $account;", "$account");
            using var upsert = Command(
                connection,
                transaction,
                "INSERT INTO people (key, role, display_name, accounts, version) VALUES ($key, $role, $name, $accounts, $version) " +
                "ON CONFLICT (key) DO UPDATE SET role = excluded.role, display_name = excluded.display_name, accounts = excluded.accounts, version = excluded.version;",
                "$key",
                "$role",
                "$name",
                "$accounts",
                "$version");
            using var unremove = Command(connection, transaction, "DELETE FROM removed WHERE key = $key;", "$key");
            upsert.Parameters["$version"].Value = version;
            foreach (var person in people)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ArgumentNullException.ThrowIfNull(person, nameof(people));
                findOld.Parameters["$key"].Value = person.Key;
                if (findOld.ExecuteScalar() is string old)
                {
                    foreach (var account in old.Split('\n'))
                    {
                        if (!person.Accounts.Contains(account))
                        {
                            unlink.Parameters["$account"].Value = account;
                            unlink.Parameters["$key"].Value = person.Key;
                            unlink.ExecuteNonQuery();
                        }
                    }

                    unremove.Parameters["$key"].Value = person.Key;
                    unremove.ExecuteNonQuery();
                }
                else
                {
                    unremove.Parameters["$key"].Value = person.Key;
                    unremove.ExecuteNonQuery();
                }

                foreach (var account in person.Accounts)
                {
                    link.Parameters["$account"].Value = account;
                    link.Parameters["$key"].Value = person.Key;
                    if (link.ExecuteScalar() is null)
                    {
                        owner.Parameters["$account"].Value = account;
                        if (owner.ExecuteScalar() is string other && !string.Equals(other, person.Key, StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException(
                                $"Account {account} is already '{other}''s in the identity directory, so it cannot be '{person.Key}''s too: remove it from '{other}' first. Nothing was written.");
                        }
                    }
                }

                upsert.Parameters["$key"].Value = person.Key;
                upsert.Parameters["$role"].Value = person.Role;
                upsert.Parameters["$name"].Value = string.Equals(person.DisplayName, person.Key, StringComparison.Ordinal) ? DBNull.Value : person.DisplayName;
                upsert.Parameters["$accounts"].Value = string.Join('\n', person.Accounts);
                upsert.ExecuteNonQuery();
            }

            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }

        Signal();
        return new(version);
    }

    /// <summary>Removes the person of key <paramref name="key"/> and frees their accounts.</summary>
    /// <param name="key">The profile key.</param>
    /// <param name="cancellationToken">Cancels the write before it commits.</param>
    /// <returns>Whether there was such a person.</returns>
    /// <exception cref="SqliteException">The database cannot be written.</exception>
    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using (var connection = Open())
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            using var delete = Command(connection, transaction, "DELETE FROM people WHERE key = $key RETURNING key;", "$key");
            delete.Parameters["$key"].Value = key;
            if (delete.ExecuteScalar() is null)
            {
                return new(false);
            }

            var version = NextVersion(connection, transaction);
            using var unlink = Command(connection, transaction, "DELETE FROM accounts WHERE key = $key;", "$key");
            unlink.Parameters["$key"].Value = key;
            unlink.ExecuteNonQuery();
            using var log = Command(connection, transaction, "INSERT INTO removed (key, version) VALUES ($key, $version) ON CONFLICT (key) DO UPDATE SET version = excluded.version;", "$key", "$version");
            log.Parameters["$key"].Value = key;
            log.Parameters["$version"].Value = version;
            log.ExecuteNonQuery();
            cancellationToken.ThrowIfCancellationRequested();
            transaction.Commit();
        }

        Signal();
        return new(true);
    }

    /// <summary>The entry of key <paramref name="key"/>, or <see langword="null"/>.</summary>
    /// <param name="key">The profile key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The person, or <see langword="null"/>.</returns>
    public ValueTask<DirectoryPerson?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        using var connection = Open();
        using var command = Command(connection, null, "SELECT key, role, display_name, accounts FROM people WHERE key = $key;", "$key");
        command.Parameters["$key"].Value = key;
        using var reader = command.ExecuteReader();
        return new(reader.Read() ? Read(reader) : null);
    }

    /// <inheritdoc/>
    public ValueTask<long> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        return new(ReadVersion(connection, null));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<DirectoryPerson> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The whole table at start-up (a million rows): read through SQLite's own API, each text decoded once from its
        // UTF-8 bytes, and the role (one of a few) matched on its bytes and shared, never decoded again.
        using var connection = Open();
        var db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, "SELECT key, role, display_name, accounts FROM people;", out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        using (statement)
        {
            var roles = new RoleCache();
            var row = 0;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                if ((++row & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                yield return ReadRow(statement, roles);
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<DirectoryChanges?> GetChangesAsync(long sinceVersion, CancellationToken cancellationToken = default)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        var version = ReadVersion(connection, transaction);
        if (version <= sinceVersion)
        {
            return new(new DirectoryChanges(version, [], []));
        }

        var changed = new List<DirectoryPerson>();
        using (var command = Command(connection, transaction, "SELECT key, role, display_name, accounts FROM people WHERE version > $since;", "$since"))
        {
            command.Parameters["$since"].Value = sinceVersion;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                changed.Add(Read(reader));
            }
        }

        var removed = new List<string>();
        using (var command = Command(connection, transaction, "SELECT key FROM removed WHERE version > $since;", "$since"))
        {
            command.Parameters["$since"].Value = sinceVersion;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                removed.Add(reader.GetString(0));
            }
        }

        return new(new DirectoryChanges(version, changed, removed));
    }

    /// <inheritdoc/>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Stops signalling changes. Connections are pooled by Microsoft.Data.Sqlite; nothing else is held.</summary>
    public void Dispose() => Volatile.Read(ref _changed).Dispose();

    private static DirectoryPerson Read(SqliteDataReader reader)
    {
        var accounts = reader.GetString(3);
        return new DirectoryPerson(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), SplitAccounts(accounts));
    }

    // The row the statement is on: key, role, display_name, accounts.
    private static DirectoryPerson ReadRow(sqlite3_stmt statement, RoleCache roles)
    {
        var key = Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, 0));
        var role = roles.Get(raw.sqlite3_column_blob(statement, 1));
        var name = raw.sqlite3_column_type(statement, 2) == raw.SQLITE_NULL ? null : Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, 2));
        var accounts = Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, 3));
        return new DirectoryPerson(key, role, name, SplitAccounts(accounts));
    }

    private static string[] SplitAccounts(string accounts) => accounts.Contains('\n', StringComparison.Ordinal) ? accounts.Split('\n') : [accounts];

    // One signal at a time, so a write is in force when its call returns even while another thread writes: cancelling runs
    // the follower's callback on this thread (it reads the change, then registers on the next token), and the next
    // signal waits until that registration is made. Without this, a second writer could cancel the next token before
    // the follower registered on it and return before its change was applied (SqliteDirectoryTests, concurrent
    // writers). The source is not disposed: a caller holding it may still read its token; it owns no timer.
    private void Signal()
    {
        lock (_signalling)
        {
            var fired = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
            fired.Cancel();
        }
    }

    private static long NextVersion(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = Command(connection, transaction, "UPDATE directory_version SET value = value + 1 WHERE id = 1 RETURNING value;");
        return (long)command.ExecuteScalar()!;
    }

    private static long ReadVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = Command(connection, transaction, "SELECT value FROM directory_version WHERE id = 1;");
        return (long)command.ExecuteScalar()!;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private SqliteConnection Open()
    {
        if (!_ready)
        {
            lock (_setUp)
            {
                if (!_ready)
                {
                    var folder = Path.GetDirectoryName(DatabasePath)!;
                    if (OperatingSystem.IsWindows())
                    {
                        Directory.CreateDirectory(folder);
                    }
                    else
                    {
                        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }

                    using var first = new SqliteConnection(_connectionString);
                    first.Open();
                    DirectorySchema.Migrate(first, DatabasePath);
                    _ready = true;
                }
            }
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
