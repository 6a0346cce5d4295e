using BenchmarkDotNet.Attributes;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Benchmarks;

// Appending one message (one BEGIN IMMEDIATE transaction, synchronous=FULL, so one WAL fsync each): to the
// profile's own database through the store's pool, against the shared database with a user_id column.
// Rotates over 16 active profiles, whose databases the pool holds open.
public class SessionAppendBenchmarks
{
    private const int ActiveProfiles = 16;
    private readonly string[] _ownSessions = new string[ActiveProfiles];
    private readonly string[] _sharedSessions = new string[ActiveProfiles];
    private SessionDatabasePool _pool = null!;
    private SqliteConnection _shared = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        SessionBenchmarkData.EnsureBuilt();
        _pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions { Synchronous = SqliteSynchronousMode.Full }));
        _shared = SessionSharedDatabase.Open(SessionBenchmarkData.SharedDatabase, SqliteSynchronousMode.Full);
        for (var i = 0; i < ActiveProfiles; i++)
        {
            var profile = ProfileAt(i);
            using var lease = _pool.AcquireAsync(SessionBenchmarkData.ProfileDatabase(profile), create: false).AsTask().GetAwaiter().GetResult()!;
            _ownSessions[i] = SessionQueries.List(lease.Connection, includeArchived: false)[^1].Id;
            _sharedSessions[i] = SessionSharedDatabase.FirstSessionOf(_shared, SessionBenchmarkData.ProfileKeyOf(profile));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _shared.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void SharedDatabase()
    {
        var i = _next++ % ActiveProfiles;
        SessionSharedDatabase.Append(_shared, SessionBenchmarkData.ProfileKeyOf(ProfileAt(i)), _sharedSessions[i], "benchmark message about the weather", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Benchmark]
    public async Task PerProfileDatabase()
    {
        var i = _next++ % ActiveProfiles;
        using var lease = await _pool.AcquireAsync(SessionBenchmarkData.ProfileDatabase(ProfileAt(i)), create: false);
        SessionQueries.Append(lease!.Connection, _ownSessions[i], [new SessionMessage(SessionRoles.User, "benchmark message about the weather")], DateTimeOffset.UtcNow);
    }

    private static int ProfileAt(int i) => i * (SessionBenchmarkData.Profiles / ActiveProfiles);
}
