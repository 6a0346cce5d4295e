using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests.State;

// The SQLite state store as a host gets it (AddSqliteState), on a real file under the data root.
public sealed class SqliteStateStoreTests
{
    private static HermesHost Host(Action<SqliteStateOptions>? configure = null, TempDirectory? folder = null) =>
        new(isolation: builder => builder.AddSqliteState(configure), folder: folder ?? new TempDirectory("state"));

    [Fact]
    public async Task AddSqliteState_registers_one_store_on_state_identity_db_under_the_data_root()
    {
        await using var host = Host();
        var store = host.Services.GetRequiredService<IIdentityStateStore>();
        Assert.Same(store, host.Services.GetRequiredService<IIdentityStateStore>());

        Assert.True(await store.TryCommitAsync([StateChange.Put("pairing", "ABC123", """{"a":1}""", 0)]));

        var path = Path.Combine(host.Root, "state", "identity.db");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var record = await store.GetAsync("pairing", "ABC123");
        Assert.NotNull(record);
        Assert.Equal("""{"a":1}""", record.Data);
        Assert.Equal(1, record.Version);
        Assert.Equal(1, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task A_commit_is_all_or_nothing_and_checks_versions()
    {
        await using var host = Host();
        var store = host.Services.GetRequiredService<IIdentityStateStore>();
        Assert.True(await store.TryCommitAsync([StateChange.Put("k", "a", "1", 0)]));
        var a = (await store.GetAsync("k", "a"))!;

        // b would be created, but a's expectation is stale: nothing is applied.
        Assert.False(await store.TryCommitAsync([StateChange.Put("k", "b", "2", 0), StateChange.Put("k", "a", "3", a.Version + 1)]));
        Assert.Null(await store.GetAsync("k", "b"));
        Assert.Equal(1, await store.GetSequenceAsync());

        Assert.True(await store.TryCommitAsync([StateChange.Put("k", "b", "2", 0), StateChange.Put("k", "a", "3", a.Version)]));
        var b = (await store.GetAsync("k", "b"))!;
        Assert.Equal(2, b.Version);
        Assert.Equal(2, (await store.GetAsync("k", "a"))!.Version);
        Assert.False(await store.TryCommitAsync([StateChange.Put("k", "b", "x", 0)]));
        Assert.True(await store.TryCommitAsync([StateChange.Delete("k", "b", b.Version)]));
        Assert.Null(await store.GetAsync("k", "b"));
        Assert.Equal(3, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task ListAsync_sorts_ordinally_even_where_utf8_order_differs()
    {
        await using var host = Host();
        var store = host.Services.GetRequiredService<IIdentityStateStore>();
        // U+FF21 sorts after U+1F600 in UTF-8 (code points) but before it in UTF-16 code units.
        string[] keys = ["p:\uFF21", "p:\U0001F600", "p:a", "q:a", "p"];
        Assert.True(await store.TryCommitAsync([.. keys.Select(k => StateChange.Put("k", k, "{}", 0))]));

        var listed = (await store.ListAsync("k", "p:")).Select(r => r.Key).ToArray();
        Assert.Equal(keys.Where(k => k.StartsWith("p:", StringComparison.Ordinal)).Order(StringComparer.Ordinal), listed);
        Assert.Equal(keys.Order(StringComparer.Ordinal), (await store.ListAsync("k")).Select(r => r.Key));
        Assert.Equal(["p:\U0001F600"], (await store.ListAsync("k", "p:\U0001F600")).Select(r => r.Key));
    }

    [Fact]
    public async Task A_file_of_a_newer_schema_is_refused_with_what_to_do()
    {
        var folder = new TempDirectory("state");
        Directory.CreateDirectory(folder.Combine("state"));
        var path = folder.Combine("state", "identity.db");
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = "CREATE TABLE about (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO about VALUES ('written_by', 'Hermes.Identity.Sqlite 9.0.0'); PRAGMA user_version = 7;";
            command.ExecuteNonQuery();
        }

        await using var host = Host(folder: folder);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => host.Services.GetRequiredService<IIdentityStateStore>().GetAsync("k", "a").AsTask());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Hermes.Identity.Sqlite to 9.0.0 or newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_a_StateStoreException_naming_the_file()
    {
        var folder = new TempDirectory("state");
        var path = folder.Write(Path.Combine("state", "identity.db"), new string('x', 8192));

        await using var host = Host(folder: folder);
        var store = host.Services.GetRequiredService<IIdentityStateStore>();
        var error = await Assert.ThrowsAsync<StateStoreException>(() => store.TryCommitAsync([StateChange.Put("k", "a", "1", 0)]).AsTask());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("restore the file from a backup, or delete it", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
    }

    [Fact]
    public async Task Options_out_of_range_stop_the_host_at_start_up()
    {
        await using var host = Host(o => o.BusyTimeout = TimeSpan.FromMilliseconds(10));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SqliteStateOptions>>().Value);
        Assert.Contains("SqliteStateOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
    }
}
