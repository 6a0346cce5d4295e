using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite.Tests;

public sealed class SchemaTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hermes-schema-" + Guid.NewGuid().ToString("N"));

    public SchemaTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Folders.DeleteWithRetry(_dir);

    private SqliteConnection Raw(string name = "state.db")
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, name)};Pooling=False");
        connection.Open();
        return connection;
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static string SchemaOf(SqliteConnection connection) =>
        Scalar(connection, "SELECT group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_master ORDER BY name)");

    [Fact]
    public void Migrations_are_idempotent()
    {
        using var connection = Raw();
        Assert.Equal((0, SessionSchema.LatestVersion), SessionSchema.Migrate(connection));
        var schema = SchemaOf(connection);
        Assert.Equal((SessionSchema.LatestVersion, SessionSchema.LatestVersion), SessionSchema.Migrate(connection));
        Assert.Equal((SessionSchema.LatestVersion, SessionSchema.LatestVersion), SessionSchema.Migrate(connection));
        Assert.Equal(schema, SchemaOf(connection));
        Assert.Equal(SessionSchema.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(connection, "PRAGMA user_version"));
    }

    [Fact]
    public void Migrating_a_version_1_database_indexes_the_messages_it_already_has()
    {
        using var connection = Raw();
        Assert.Equal((0, 1), SessionSchema.Migrate(connection, targetVersion: 1));
        Scalar(connection, "INSERT INTO sessions (id, key, platform, chat_kind, created, updated) VALUES ('s1', 'telegram:direct:-', 'telegram', 0, 0, 0)");
        Scalar(connection, "INSERT INTO messages (session, role, content, time) VALUES (1, 'user', '我们明天去杭州看西湖', 0)");

        Assert.Equal((1, SessionSchema.LatestVersion), SessionSchema.Migrate(connection));
        var hits = SessionQueries.Search(connection, SearchQuery.Parse("杭州看西湖")!, 10);
        Assert.Equal("s1", Assert.Single(hits).SessionId);
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check"));
    }

    [Fact]
    public void A_database_from_a_newer_version_is_refused_with_what_to_do()
    {
        using var connection = Raw();
        Scalar(connection, $"PRAGMA user_version = {SessionSchema.LatestVersion + 1}");
        var error = Assert.Throws<InvalidOperationException>(() => SessionSchema.Migrate(connection));
        Assert.Contains("Upgrade the package", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SqliteSynchronousMode.Full, "2")]
    [InlineData(SqliteSynchronousMode.Normal, "1")]
    [InlineData(SqliteSynchronousMode.Extra, "3")]
    public async Task Databases_open_in_wal_mode_with_the_configured_synchronous_level(SqliteSynchronousMode mode, string expected)
    {
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions { Synchronous = mode, BusyTimeout = TimeSpan.FromSeconds(7) }), NullLoggerFactory.Instance);
        using var lease = await pool.AcquireAsync(Path.Combine(_dir, "a", "state.db"), create: true);
        Assert.Equal("wal", Scalar(lease!.Connection, "PRAGMA journal_mode"));
        Assert.Equal(expected, Scalar(lease.Connection, "PRAGMA synchronous"));
        Assert.Equal("7000", Scalar(lease.Connection, "PRAGMA busy_timeout"));
        Assert.Equal("1", Scalar(lease.Connection, "PRAGMA foreign_keys"));
    }

    // Writes begin with SqliteConnection.BeginTransaction(deferred: false), which Microsoft.Data.Sqlite issues as
    // BEGIN IMMEDIATE: the write lock is taken at the start, where the busy timeout waits for it, so a write never
    // starts as a reader that later fails to upgrade (SQLITE_BUSY_SNAPSHOT). A second writer cannot even begin.
    [Fact]
    public void A_write_transaction_takes_the_write_lock_when_it_begins()
    {
        using var first = Raw();
        Scalar(first, "PRAGMA journal_mode = WAL");
        Assert.Equal((0, SessionSchema.LatestVersion), SessionSchema.Migrate(first));
        using var second = new SqliteConnection($"Data Source={Path.Combine(_dir, "state.db")};Pooling=False;Default Timeout=1");
        second.Open();
        Scalar(second, "PRAGMA busy_timeout = 0");

        using (first.BeginTransaction(deferred: false))
        {
            var busy = Assert.Throws<SqliteException>(() => second.BeginTransaction(deferred: false));
            Assert.Equal(5, busy.SqliteErrorCode); // SQLITE_BUSY, before either wrote anything
            using (second.BeginTransaction(deferred: true))
            {
                // A deferred BEGIN takes no lock, which is exactly what the store must not use for writes.
            }
        }

        using (second.BeginTransaction(deferred: false))
        {
        }
    }

    [Fact]
    public void The_default_is_synchronous_full()
        => Assert.Equal(SqliteSynchronousMode.Full, new SqliteSessionOptions().Synchronous);

    [Theory]
    [InlineData(0, 30, 0, "MaxOpenDatabases")]
    [InlineData(10, 0, 0, "BusyTimeout")]
    [InlineData(10, 30, 9, "Synchronous")]
    public void Invalid_options_fail_when_read_with_what_to_fix(int maxOpen, int busySeconds, int synchronous, string property)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = _dir).AddSqliteSessions(o =>
        {
            o.MaxOpenDatabases = maxOpen;
            o.BusyTimeout = TimeSpan.FromSeconds(busySeconds);
            o.Synchronous = (SqliteSynchronousMode)synchronous;
        });
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<SqliteSessionOptions>>().Value);
        Assert.Contains(property, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fts5_with_the_trigram_tokenizer_is_in_the_bundled_sqlite()
    {
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions()));
        using var lease = await pool.AcquireAsync(Path.Combine(_dir, "b", "state.db"), create: true);
        Assert.Contains("ENABLE_FTS5", Scalar(lease!.Connection, "SELECT group_concat(compile_options) FROM pragma_compile_options"), StringComparison.Ordinal);
        Assert.Contains("trigram", Scalar(lease.Connection, "SELECT sql FROM sqlite_master WHERE name = 'messages_fts'"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_values_round_trip()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2", "thread-9", ChatKind.Thread);
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = await store.OpenCurrentSessionAsync();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        await store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.Tool, "{\"ok\":true}") { ToolName = "web_search", ToolCallId = "call-7", Time = at }]);
        var message = Assert.Single(await store.GetMessagesAsync(session.Id));
        Assert.Equal((SessionRoles.Tool, "{\"ok\":true}", "web_search", "call-7", at), (message.Role, message.Content, message.ToolName, message.ToolCallId, message.Time));
        Assert.NotNull(message.Id);
        var reread = await store.GetSessionAsync(session.Id);
        Assert.Equal((session.Id, session.Key, session.ChatId, session.ChatKind, session.Title, session.Created, session.Archived), (reread.Id, reread.Key, reread.ChatId, reread.ChatKind, reread.Title, reread.Created, reread.Archived));
    }
}
