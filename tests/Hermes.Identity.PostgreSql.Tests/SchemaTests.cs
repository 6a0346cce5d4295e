using Hermes.Identity.Sessions;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Tests;

public sealed class SchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Replicas_starting_together_migrate_once_and_all_work()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        var providers = Enumerable.Range(0, 6).Select(_ => Stores.Provider(server, schema)).ToList();
        try
        {
            using var start = new Barrier(providers.Count);
            await Task.WhenAll(providers.Select(p => Task.Run(async () =>
            {
                var store = p.GetRequiredService<IIdentityStateStore>();
                start.SignalAndWait();
                return await store.GetSequenceAsync();
            }))).WaitAsync(HangGuard.Timeout);
        }
        finally
        {
            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }
        }

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*), max(version) FROM {schema}.schema_version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(3L, reader.GetInt64(0)); // three migrations, each applied once
        Assert.Equal(3, reader.GetInt32(1));
    }

    [Fact]
    public async Task A_schema_at_version_2_is_brought_to_version_3_with_the_audit_tables()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using (var provider = Stores.Provider(server, schema))
        {
            await provider.GetRequiredService<IIdentityStateStore>().GetSequenceAsync();
        }

        // What the package before the audit left: version 2, no audit tables.
        await ExecuteAsync(server, $"DROP FUNCTION {schema}.append_decision; DROP TABLE {schema}.decision_audit, {schema}.decision_audit_head; DELETE FROM {schema}.schema_version WHERE version = 3");

        await using (var provider = Stores.Provider(server, schema, extra: b => b.AddPostgreSqlAudit()))
        {
            await provider.GetRequiredService<IIdentityStateStore>().GetSequenceAsync();
        }

        Assert.Equal(3L, await ScalarAsync(server, $"SELECT max(version) FROM {schema}.schema_version"));
        Assert.Equal(0L, await ScalarAsync(server, $"SELECT seq FROM {schema}.decision_audit_head"));
        var verification = await Hermes.Identity.PostgreSql.Audit.PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, TestContext.Current.CancellationToken);
        Assert.True(verification.IsIntact);
        Assert.Equal(0, verification.RecordCount);
    }

    private static async Task ExecuteAsync(PostgresServer server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(PostgresServer server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_schema_newer_than_the_package_is_refused_with_a_message_that_says_to_upgrade()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using (var provider = Stores.Provider(server, schema))
        {
            await provider.GetRequiredService<IIdentityStateStore>().GetSequenceAsync();
        }

        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"INSERT INTO {schema}.schema_version (version, library) VALUES (99, '9.9.9')", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var newer = Stores.Provider(server, schema);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => newer.GetRequiredService<IIdentityStateStore>().GetSequenceAsync().AsTask());
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("9.9.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade the Hermes.Identity.PostgreSql package", error.Message, StringComparison.Ordinal);

        await using var host = Sessions.SessionHosts.PostgreSql(server, schema);
        await using var turn = host.Begin("telegram", Identities.Louis);
        var sessionError = await Assert.ThrowsAsync<SessionStoreException>(() => Sessions.SessionHosts.Sessions(turn).OpenCurrentSessionAsync());
        Assert.Contains("Upgrade the Hermes.Identity.PostgreSql package", sessionError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_fails_with_a_clear_exception_after_bounded_retries()
    {
        using var nowhere = new TempDirectory("nopg");
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = nowhere.Path).AddPostgreSqlState(o =>
        {
            o.ConnectionString = $"Host={nowhere.Path};Username=hermes;Timeout=2";
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
        });
        await using var provider = services.BuildServiceProvider();
        var error = await Assert.ThrowsAsync<StateStoreException>(() => provider.GetRequiredService<IIdentityStateStore>().TryCommitAsync([StateChange.Put("k", "x", "{}", 0)]).AsTask());
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
        Assert.Contains("after 3 tries", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was done", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated_with_messages_that_say_what_to_use()
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = Path.GetTempPath()).AddPostgreSql(o =>
        {
            o.Schema = "Bad-Name";
            o.MaxRetries = 99;
            o.RetryDelay = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgreSqlOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("ConnectionString is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Schema is 'Bad-Name'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxRetries is 99", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RetryDelay is", StringComparison.Ordinal));
    }
}
