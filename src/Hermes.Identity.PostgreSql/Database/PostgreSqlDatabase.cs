using System.Reflection;
using Hermes.Identity.PostgreSql.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Database;

// One per service provider: the Npgsql data source (its connection pool), the schema brought up to date on first use
// (under an advisory lock, so replicas starting together migrate once), and the retry of operations that failed because
// the server could not be reached. Every store runs its SQL through RunAsync.
internal sealed class PostgreSqlDatabase : IAsyncDisposable
{
    // pg_advisory_xact_lock key of the migrations: the same for every schema, since pg_trgm is per database.
    private const long MigrationLock = 0x4865726D_65734944; // "HermesID"

    private readonly NpgsqlDataSource _source;
    private readonly PostgreSqlOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _ready;

    public PostgreSqlDatabase(PostgreSqlOptions options, TimeProvider time, ILoggerFactory? loggers)
    {
        _options = options;
        _time = time;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.PostgreSql");
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        if (loggers is not null)
        {
            builder.UseLoggerFactory(loggers);
        }

        _source = builder.Build();
        var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Target = $"{parsed.Host ?? "localhost"}:{parsed.Port}/{parsed.Database ?? parsed.Username ?? "(default)"}, schema {options.Schema}";
        Schema = options.Schema;
    }

    // Where the stores are, for messages: host, port, database and schema; never the password.
    public string Target { get; }

    public string Schema { get; }

    public PostgreSqlOptions Options => _options;

    public ILogger Logger => _logger;

    public TimeProvider Time => _time;

    // Runs work on an open connection; tries again (with a new connection) when it failed because the server could not
    // be reached, up to MaxRetries times with doubling waits. Failures come out through fail(message, inner).
    public async Task<T> RunAsync<T>(string what, Func<NpgsqlConnection, CancellationToken, Task<T>> work, Func<string, Exception, Exception> fail, CancellationToken cancellationToken)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
                var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await work(connection, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (SchemaTooNewException ex)
            {
                throw fail(ex.Message, ex);
            }
            catch (OutcomeUnknownException ex)
            {
                _source.Clear();
                throw fail(
                    $"PostgreSQL ({Target}) failed while committing {what}, so it may or may not have been applied: {ex.Message}. " +
                    "Read the data again before deciding anything on it; check that the server is running and reachable.",
                    ex.InnerException ?? ex);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                _source.Clear(); // pooled connections to a restarted server are dead: drop them all
                if (attempt >= _options.MaxRetries)
                {
                    Log.GaveUp(_logger, what, Target, attempt + 1, ex.Message);
                    throw fail(
                        $"PostgreSQL ({Target}) could not be reached for {what} after {attempt + 1} tries, so nothing was done: {ex.Message}. " +
                        "Check that the server is running and reachable, and the connection string (PostgreSqlOptions.ConnectionString); it is tried again on the next call.",
                        ex);
                }

                Log.Retrying(_logger, what, Target, attempt + 1, delay, ex.Message);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                throw fail($"PostgreSQL ({Target}) refused {what}, so nothing was done: {ex.Message}. Check the server's log and the user's rights on schema {Schema}.", ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _migration.Dispose();
    }

    // Server unreachable, restarting or shutting down, out of connections, or a serialization failure: worth a new try.
    internal static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "53300" or "40001" or "40P01",
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    // Commits a write: a connection lost while COMMIT is on its way leaves the outcome unknown (never retried).
    public static async Task CommitAsync(NpgsqlTransaction transaction)
    {
        try
        {
            // Not cancellable: once COMMIT is on its way, its outcome is the server's.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLostConnection(ex))
        {
            throw new OutcomeUnknownException(ex);
        }
    }

    // Runs one statement that writes on its own (autocommit): the same rule as CommitAsync.
    public static async Task<int> WriteAsync(NpgsqlCommand command)
    {
        try
        {
            return await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsLostConnection(ex))
        {
            throw new OutcomeUnknownException(ex);
        }
    }

    // The connection broke (no answer from the server): what was sent may or may not have been applied.
    internal static bool IsLostConnection(Exception ex) => ex is NpgsqlException { SqlState: null } or IOException or TimeoutException;

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _migration.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await MigrateAsync(cancellationToken).ConfigureAwait(false);
                _ready = true;
            }
        }
        finally
        {
            _migration.Release();
        }
    }

    // One transaction under an advisory lock: replicas starting at once wait for each other, and the second finds the
    // schema up to date. Each applied step adds its row to schema_version.
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {Schema}", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    $"CREATE TABLE IF NOT EXISTS {Schema}.schema_version (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), library text NOT NULL)",
                    cancellationToken).ConfigureAwait(false);

                long current;
                string? newestLibrary;
                using (var read = new NpgsqlCommand($"SELECT version, library FROM {Schema}.schema_version ORDER BY version DESC LIMIT 1", connection))
                using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    var any = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    current = any ? reader.GetInt32(0) : 0;
                    newestLibrary = any ? reader.GetString(1) : null;
                }

                if (current > SchemaMigrations.LatestVersion)
                {
                    throw new SchemaTooNewException(
                        $"The PostgreSQL schema {Schema} ({Target}) is at version {current}, written by Hermes.Identity.PostgreSql {newestLibrary}; " +
                        $"this version of the package ({LibraryVersion}) knows versions up to {SchemaMigrations.LatestVersion}. Upgrade the Hermes.Identity.PostgreSql package on this replica.");
                }

                if (current < SchemaMigrations.LatestVersion)
                {
                    await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS pg_trgm", cancellationToken).ConfigureAwait(false);
                    string trigram;
                    using (var find = new NpgsqlCommand("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", connection))
                    {
                        trigram = (string)(await find.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    }

                    for (var version = (int)current; version < SchemaMigrations.LatestVersion; version++)
                    {
                        await ExecuteAsync(connection, SchemaMigrations.Render(SchemaMigrations.Migrations[version], Schema, trigram), cancellationToken).ConfigureAwait(false);
                        using var record = new NpgsqlCommand($"INSERT INTO {Schema}.schema_version (version, library) VALUES ($1, $2)", connection);
                        record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version + 1 });
                        record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LibraryVersion });
                        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                if (current < SchemaMigrations.LatestVersion)
                {
                    Log.Migrated(_logger, Target, current, SchemaMigrations.LatestVersion);
                }
            }
        }
    }

    internal static string LibraryVersion { get; } =
        typeof(PostgreSqlDatabase).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
