using Hermes.Identity.Sqlite.State;
using Hermes.Identity.State;
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
            Assert.True(File.Exists(path + "-wal"), "WAL mode: the log is there while the store is open");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + "-wal"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + "-shm"));
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
    public async Task Options_out_of_range_stop_the_host_at_start_up()
    {
        await using var host = Host(o => o.BusyTimeout = TimeSpan.FromMilliseconds(10));
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SqliteStateOptions>>().Value);
        Assert.Contains("SqliteStateOptions.BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_expired_over_an_hour_ago_are_deleted_in_a_later_commit_never_what_it_writes_or_checks()
    {
        using var folder = new TempDirectory("state");
        var path = SqliteStateStore.DatabasePathUnder(folder.Path);
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        using (var writer = new SqliteStateStore(path, new SqliteStateOptions(), new FixedClock(now.AddDays(-1))))
        {
            Assert.True(await writer.TryCommitAsync(
            [
                StateChange.Put("k", "long-gone", "{}", 0, now.AddHours(-2)),
                StateChange.Put("k", "checked", "{}", 0, now.AddHours(-3)),
                StateChange.Put("k", "recent", "{}", 0, now.AddMinutes(-30)),
                StateChange.Put("k", "forever", "{}", 0),
            ]));
        }

        using var store = new SqliteStateStore(path, new SqliteStateOptions(), new FixedClock(now));
        var checkedRecord = (await store.GetAsync("k", "checked"))!;
        // The first commit of this instance tidies up: it checks and rewrites "checked", and writes "fresh", itself expired long ago.
        Assert.True(await store.TryCommitAsync(
        [
            StateChange.Put("k", "checked", """{"again":true}""", checkedRecord.Version, now.AddHours(-3)),
            StateChange.Put("k", "fresh", "{}", 0, now.AddDays(-5)),
        ]));

        Assert.Equal(["checked", "forever", "fresh", "recent"], (await store.ListAsync("k")).Select(r => r.Key));
        Assert.Null(await store.GetAsync("k", "long-gone"));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
