using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite.Tests;

public sealed class PoolTests : IDisposable
{
    // On Linux, in memory (tmpfs) when there is one: these tests count handles and check ordering, and
    // thousands of fsyncs on a slow CI disk would only make them slow.
    private readonly string _dir = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "hermes-pool-" + Guid.NewGuid().ToString("N"));

    public PoolTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Folders.DeleteWithRetry(_dir);

    private string DatabaseOf(int profile) => Path.Combine(_dir, "agents", "p" + profile, "state.db");

    private static long Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    // The state.db files this process has open, as the kernel sees them (Linux).
    private int OpenDatabaseHandles() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget; } catch (IOException) { return null; } })
            .Count(target => target is not null && target.StartsWith(_dir, StringComparison.Ordinal) && target.EndsWith("state.db", StringComparison.Ordinal));

    [Fact]
    public async Task Open_databases_stay_under_the_bound_with_thousands_of_profiles()
    {
        const int profiles = 2_000, bound = 8;
        // Normal: this test is about handles, and a sync per new file would make it slow for no gain.
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions { MaxOpenDatabases = bound, Synchronous = SqliteSynchronousMode.Normal }));
        var now = DateTimeOffset.UtcNow;
        // Thousands of existing profiles: copies of one empty database, since creating the schema (~10 ms of
        // CPU each) is not what this test is about.
        using (var first = await pool.AcquireAsync(DatabaseOf(0), create: true))
        {
        }

        await using (await pool.TakeOfflineAsync(DatabaseOf(0)))
        {
            for (var i = 1; i < profiles; i++)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(DatabaseOf(i))!);
                File.Copy(DatabaseOf(0), DatabaseOf(i));
            }
        }

        for (var i = 0; i < profiles; i++)
        {
            using (var lease = await pool.AcquireAsync(DatabaseOf(i), create: true))
            {
                var session = SessionQueries.OpenCurrent(lease!.Connection, new SessionKey("telegram", ChatKind.Direct, null), now);
                SessionQueries.Append(lease.Connection, session.Id, [new SessionMessage(SessionRoles.User, "message for p" + i)], now);
            }

            Assert.InRange(pool.OpenCount, 1, bound);
        }

        if (OperatingSystem.IsLinux())
        {
            Assert.InRange(OpenDatabaseHandles(), 1, bound);
        }

        // Every profile's message landed in its own file, closed databases included.
        foreach (var i in new[] { 0, 1, 999, profiles - 1 })
        {
            using var lease = await pool.AcquireAsync(DatabaseOf(i), create: false);
            Assert.Equal(1, Count(lease!.Connection, "SELECT count(*) FROM messages"));
            Assert.Equal(1, Count(lease.Connection, $"SELECT count(*) FROM messages WHERE content = 'message for p{i}'"));
        }
    }

    [Fact]
    public async Task Concurrent_operations_on_many_profiles_stay_under_the_bound_and_finish()
    {
        const int bound = 3;
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions { MaxOpenDatabases = bound, Synchronous = SqliteSynchronousMode.Normal }));
        var maxSeen = 0;
        var now = DateTimeOffset.UtcNow;
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var lease = await pool.AcquireAsync(DatabaseOf(i % 12), create: true, ct);
            var session = SessionQueries.OpenCurrent(lease!.Connection, new SessionKey("telegram", ChatKind.Direct, null), now);
            SessionQueries.Append(lease.Connection, session.Id, [new SessionMessage(SessionRoles.User, "m" + i)], now);
            InterlockedMax(ref maxSeen, pool.OpenCount);
        });

        Assert.InRange(maxSeen, 1, bound);
        var total = 0L;
        for (var p = 0; p < 12; p++)
        {
            using var lease = await pool.AcquireAsync(DatabaseOf(p), create: false);
            total += Count(lease!.Connection, "SELECT count(*) FROM messages");
            Assert.Equal(1, Count(lease.Connection, "SELECT count(*) FROM sessions"));
        }

        Assert.Equal(200, total);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Erasing_a_pooled_database_loses_no_later_write()
    {
        await using var data = new TestData();
        string before;
        await using (var turn = data.BeginTurn("2"))
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            before = (await store.OpenCurrentSessionAsync()).Id;
            await store.AppendAsync(before, [new SessionMessage(SessionRoles.User, "before the erase")]);
        }

        Assert.Equal(1, data.Pool.OpenCount);
        var files = data.Files;
        Assert.True(await files.EraseAsync(data.DatabaseOf("mei")));
        Assert.Equal(0, data.Pool.OpenCount);
        Assert.False(File.Exists(data.DatabaseOf("mei")));

        await using (var turn = data.BeginTurn("2"))
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            await Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendAsync(before, [new SessionMessage(SessionRoles.User, "into the old session")]));
            var after = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(after.Id, [new SessionMessage(SessionRoles.User, "after the erase")]);
        }

        using var raw = new SqliteConnection($"Data Source={data.DatabaseOf("mei")};Pooling=False");
        raw.Open();
        Assert.Equal(1, Count(raw, "SELECT count(*) FROM messages WHERE content = 'after the erase'"));
        Assert.Equal(0, Count(raw, "SELECT count(*) FROM messages WHERE content <> 'after the erase'"));
    }

    [Fact]
    public async Task A_database_deleted_behind_the_pool_is_reopened_not_written_into_the_void()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using (var turn = data.BeginTurn("2"))
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            var session = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, "first")]);

            // Someone removes the files while the connection is open (rm, a backup tool moving them away).
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }

            // The old session is gone with its file: an error, not a silent write into the unlinked inode.
            await Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, "lost?")]));
            var fresh = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(fresh.Id, [new SessionMessage(SessionRoles.User, "second")]);
        }

        using var raw = new SqliteConnection($"Data Source={path};Pooling=False");
        raw.Open();
        Assert.Equal(1, Count(raw, "SELECT count(*) FROM messages WHERE content = 'second'"));
    }

    [Fact]
    public async Task Writes_racing_an_erase_either_vanish_with_it_or_survive_it()
    {
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions { Synchronous = SqliteSynchronousMode.Normal }));
        var path = DatabaseOf(1);
        var now = DateTimeOffset.UtcNow;
        var key = new SessionKey("telegram", ChatKind.Direct, null);
        var acked = 0;
        var erased = 0;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                using var lease = await pool.AcquireAsync(path, create: true);
                var session = SessionQueries.OpenCurrent(lease!.Connection, key, now);
                SessionQueries.Append(lease.Connection, session.Id, [new SessionMessage(SessionRoles.User, i.ToString(System.Globalization.CultureInfo.InvariantCulture))], now);
                acked = i + 1;
            }
        });

        while (Volatile.Read(ref acked) < 100)
        {
            await Task.Delay(1);
        }

        Assert.True(await new SessionDatabaseFiles(pool).EraseAsync(path));
        erased = Volatile.Read(ref acked);
        await writer;

        using var lease = await pool.AcquireAsync(path, create: false);
        using var command = lease!.Connection.CreateCommand();
        command.CommandText = "SELECT CAST(content AS INTEGER) FROM messages ORDER BY id";
        var present = new List<long>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                present.Add(reader.GetInt64(0));
            }
        }

        // What survives is every write from some point on, up to the last: nothing after the erase is missing.
        Assert.NotEmpty(present);
        Assert.Equal(399, present[^1]);
        Assert.Equal(Enumerable.Range((int)present[0], 400 - (int)present[0]).Select(i => (long)i), present);
        Assert.InRange(present[0], 1, erased);
    }

    [Fact]
    public async Task A_database_taken_offline_is_not_reopened_until_brought_back()
    {
        using var pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions()));
        var path = DatabaseOf(2);
        (await pool.AcquireAsync(path, create: true))!.Dispose();
        var offline = await pool.TakeOfflineAsync(path);
        Assert.Equal(0, pool.OpenCount);
        File.Move(path, path + ".moved");
        var waiting = pool.AcquireAsync(path, create: true).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await offline.DisposeAsync();
        using var lease = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, Count(lease!.Connection, "SELECT count(*) FROM sessions"));
    }

    [Fact]
    public async Task Export_writes_a_consistent_copy()
    {
        await using var data = new TestData();
        await using (var turn = data.BeginTurn("2"))
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            var session = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, "keep me 一起")]);
        }

        var files = data.Files;
        var copy = Path.Combine(data.Root, "export", "mei.db");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        Assert.True(await files.ExportAsync(data.DatabaseOf("mei"), copy));
        Assert.False(await files.ExportAsync(data.DatabaseOf("nobody"), copy + "2"));
        await Assert.ThrowsAsync<IOException>(() => files.ExportAsync(data.DatabaseOf("mei"), copy));

        using var raw = new SqliteConnection($"Data Source={copy};Pooling=False");
        raw.Open();
        Assert.Equal(1, Count(raw, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '\"keep me\"'"));
    }
}
