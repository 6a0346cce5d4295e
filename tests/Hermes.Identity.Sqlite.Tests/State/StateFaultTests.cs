using Hermes.Identity.State;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests.State;

// Storage faults made for real (a file that is not a database, a newer schema, a folder that cannot be written, a
// lock held past the busy timeout) come out as StateStoreException naming the file and what to do; nothing is
// applied, and the store works again once the cause is gone.
public sealed class StateFaultTests
{
    private static HermesHost Host(TempDirectory folder, Action<SqliteStateOptions>? configure = null) =>
        new(isolation: builder => builder.AddSqliteState(configure), folder: folder);

    // A host's services on a data root that outlives it (a HermesHost deletes its folder when disposed).
    private static ServiceProvider Open(string root, Action<SqliteStateOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root).AddSqliteState(configure);
        return services.BuildServiceProvider();
    }

    private static IIdentityStateStore StoreOf(IServiceProvider services) => services.GetRequiredService<IIdentityStateStore>();

    private static IIdentityStateStore StoreOf(HermesHost host) => host.Services.GetRequiredService<IIdentityStateStore>();

    private static Task<bool> CommitAsync(IIdentityStateStore store, string key = "a") => store.TryCommitAsync([StateChange.Put("k", key, "{}", 0)]).AsTask();

    private static void Execute(string path, string sql)
    {
        using var raw = new SqliteConnection($"Data Source={path};Pooling=False");
        raw.Open();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    [Fact]
    public async Task A_file_of_a_newer_schema_is_refused_saying_which_version_to_install()
    {
        var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Execute(path, "CREATE TABLE about (name TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO about VALUES ('written_by', 'Hermes.Identity.Sqlite 9.0.0'); PRAGMA user_version = 7;");

        await using var host = Host(folder);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => StoreOf(host).GetAsync("k", "a").AsTask());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 7, written by Hermes.Identity.Sqlite 9.0.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade Hermes.Identity.Sqlite to 9.0.0 or newer", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));

        // Untouched: still the newer version's file.
        using var raw = new SqliteConnection($"Data Source={path};Pooling=False");
        raw.Open();
        using var version = raw.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        Assert.Equal(7L, version.ExecuteScalar());
    }

    [Fact]
    public async Task A_newer_schema_without_a_note_of_its_writer_is_refused_too()
    {
        var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Execute(path, "PRAGMA user_version = 2;");

        await using var host = Host(folder);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
        Assert.Contains("Upgrade Hermes.Identity.Sqlite to the version that wrote it or newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_file_replaced_by_garbage_is_a_StateStoreException_naming_the_file_and_the_way_out()
    {
        using var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        await using (var first = Open(folder.Path))
        {
            Assert.True(await CommitAsync(StoreOf(first)));
        }

        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 16384).Select(i => (byte)(i * 7))]);

        await using (var host = Open(folder.Path))
        {
            var error = await Assert.ThrowsAsync<StateStoreException>(() => StoreOf(host).GetAsync("k", "a").AsTask());
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("is not a SQLite database or is damaged", error.Message, StringComparison.Ordinal);
            Assert.Contains("restore the file from a backup, or delete it (with its -wal and -shm files) to start with empty state", error.Message, StringComparison.Ordinal);
            Assert.Contains("pending pairings", error.Message, StringComparison.Ordinal);
            Assert.IsType<SqliteException>(error.InnerException);
            await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
        }

        // Deleting it, as the message says, starts empty state.
        File.Delete(path);
        await using var fresh = Open(folder.Path);
        Assert.Null(await StoreOf(fresh).GetAsync("k", "a"));
        Assert.True(await CommitAsync(StoreOf(fresh)));
    }

    [Fact]
    public async Task A_file_where_the_state_folder_should_be_is_a_StateStoreException()
    {
        var folder = new TempDirectory("state");
        folder.Write("state", "not a folder");
        await using var host = Host(folder);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
        Assert.Contains(Path.Combine(host.Root, "state", "identity.db"), error.Message, StringComparison.Ordinal);
        Assert.Contains("is a folder, not a file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_root_the_host_may_not_write_is_a_StateStoreException()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows() || Tools.IsRoot, "Needs Unix permissions that bind the test's user (root ignores them); the read-only mount test covers root.");
        var folder = new TempDirectory("state");
        await using var host = Host(folder);
        SetMode(host.Root, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
            Assert.Contains(Path.Combine(host.Root, "state", "identity.db"), error.Message, StringComparison.Ordinal);
            Assert.Contains("Give the host's user write access", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            SetMode(host.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.True(await CommitAsync(StoreOf(host)));
    }

    [Fact]
    public async Task A_read_only_file_system_is_a_StateStoreException_and_keeps_what_was_written()
    {
        using var folder = new TempDirectory("state");
        var stateFolder = folder.Combine("state");
        using var mount = Tools.TryMountTmpfs(stateFolder, "size=4m,mode=0700");
        Assert.SkipWhen(mount is null, "Needs a file system to remount read-only: mounting a tmpfs needs Linux and root.");
        var path = Path.Combine(stateFolder, "identity.db");
        await using (var before = Open(folder.Path))
        {
            Assert.True(await CommitAsync(StoreOf(before), "kept"));
        }

        Assert.True(Tools.Remount(stateFolder, "ro"));
        try
        {
            await using var host = Open(folder.Path);
            var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host), "new"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", error.Message, StringComparison.Ordinal);

        }
        finally
        {
            Assert.True(Tools.Remount(stateFolder, "rw"));
        }

        await using var after = Open(folder.Path);
        Assert.NotNull(await StoreOf(after).GetAsync("k", "kept"));
        Assert.True(await CommitAsync(StoreOf(after), "new"));
    }

    [Fact]
    public async Task Creating_the_database_on_a_read_only_file_system_is_a_StateStoreException()
    {
        using var folder = new TempDirectory("state");
        var stateFolder = folder.Combine("state");
        using var mount = Tools.TryMountTmpfs(stateFolder, "size=4m,mode=0700");
        Assert.SkipWhen(mount is null, "Needs a read-only file system: mounting a tmpfs needs Linux and root.");
        Assert.True(Tools.Remount(stateFolder, "ro"));
        try
        {
            await using var host = Open(folder.Path);
            var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
            Assert.Contains(Path.Combine(stateFolder, "identity.db"), error.Message, StringComparison.Ordinal);
            Assert.Contains("mounted read-only", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Assert.True(Tools.Remount(stateFolder, "rw"));
        }
    }

    [Fact]
    public async Task A_lock_held_past_the_busy_timeout_is_a_StateStoreException_and_nothing_is_applied()
    {
        var folder = new TempDirectory("state");
        await using var host = Host(folder, o => o.BusyTimeout = TimeSpan.FromMilliseconds(200));
        var store = StoreOf(host);
        Assert.True(await CommitAsync(store, "first"));
        var path = Path.Combine(host.Root, "state", "identity.db");

        using (var holder = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            holder.Open();
            using var transaction = holder.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: holds the write lock
            var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(store, "second"));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("locked by another connection for longer than the busy timeout (SqliteStateOptions.BusyTimeout)", error.Message, StringComparison.Ordinal);

            // Readers are not blocked by a writer (WAL).
            Assert.NotNull(await store.GetAsync("k", "first"));
        }

        Assert.Null(await store.GetAsync("k", "second"));
        Assert.True(await CommitAsync(store, "second"));
    }

    [Fact]
    public async Task A_backup_renamed_over_the_file_while_the_host_runs_is_what_the_store_reads_and_writes_next()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The store tells files apart by device and inode on Linux only.");
        using var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        await using var host = Open(folder.Path);
        var store = StoreOf(host);
        Assert.True(await CommitAsync(store, "in-backup"));
        var backup = folder.Combine("backup.db");
        Execute(path, $"VACUUM INTO '{backup}'");
        Assert.True(await CommitAsync(store, "after-backup"));

        File.Move(backup, path, overwrite: true); // mv backup.db state/identity.db

        Assert.Null(await store.GetAsync("k", "after-backup"));
        Assert.NotNull(await store.GetAsync("k", "in-backup"));
        Assert.True(await CommitAsync(store, "after-restore"));
        await host.DisposeAsync();

        await using var again = Open(folder.Path);
        Assert.NotNull(await StoreOf(again).GetAsync("k", "after-restore"));
        Assert.NotNull(await StoreOf(again).GetAsync("k", "in-backup"));
        Assert.Null(await StoreOf(again).GetAsync("k", "after-backup"));
    }

    [Fact]
    public async Task A_file_deleted_while_the_host_runs_is_not_written_into_a_new_empty_one_starts()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The store tells files apart by device and inode on Linux only.");
        using var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        await using var host = Open(folder.Path);
        var store = StoreOf(host);
        Assert.True(await CommitAsync(store, "old"));

        File.Delete(path);
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");

        Assert.Null(await store.GetAsync("k", "old"));
        Assert.Equal(0, await store.GetSequenceAsync());
        Assert.True(await CommitAsync(store, "new"));
        await host.DisposeAsync();

        await using var again = Open(folder.Path);
        Assert.NotNull(await StoreOf(again).GetAsync("k", "new"));
    }

    [Fact]
    public async Task A_write_ahead_log_left_without_its_database_is_refused_rather_than_mixed_into_a_new_one()
    {
        using var folder = new TempDirectory("state");
        var path = folder.Combine("state", "identity.db");
        await using (var first = Open(folder.Path))
        {
            Assert.True(await CommitAsync(StoreOf(first), "a"));
            // Keep the log: copy it aside before the last connection closes and deletes it.
            File.Copy(path + "-wal", folder.Combine("kept-wal"));
        }

        File.Delete(path);
        File.Move(folder.Combine("kept-wal"), path + "-wal");

        await using var host = Open(folder.Path);
        var error = await Assert.ThrowsAsync<StateStoreException>(() => CommitAsync(StoreOf(host)));
        Assert.Contains($"The state database {path} is missing, but its write-ahead log {path}-wal is there", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }
}
