using BenchmarkDotNet.Attributes;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Benchmarks;

// Search within one profile: its own database (the store) against one shared database filtered by
// user_id. 1,000 profiles × 1,000 messages by default (HERMES_BENCH_PROFILES, HERMES_BENCH_MESSAGES_PER_PROFILE).
// The searches rotate over 16 profiles spread across the range, whose databases the pool holds open (an
// active user); the shared database's one connection is always open.
[MemoryDiagnoser]
public class SessionSearchBenchmarks
{
    private const int ActiveProfiles = 16;
    private SessionDatabasePool _pool = null!;
    private SqliteConnection _shared = null!;
    private SearchQuery _query = null!;
    private int _next;

    [Params(SessionBenchmarkData.RareTerm, SessionBenchmarkData.ChineseTerm)]
    public string Term { get; set; } = SessionBenchmarkData.RareTerm;

    [GlobalSetup]
    public void Setup()
    {
        SessionBenchmarkData.EnsureBuilt();
        _pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions()));
        _shared = SessionSharedDatabase.Open(SessionBenchmarkData.SharedDatabase, SqliteSynchronousMode.Full);
        _query = SearchQuery.Parse(Term)!;
        for (var i = 0; i < ActiveProfiles; i++)
        {
            // Both layouts must find the same messages, or the comparison means nothing.
            var profile = ProfileAt(i);
            using var lease = _pool.AcquireAsync(SessionBenchmarkData.ProfileDatabase(profile), create: false).AsTask().GetAwaiter().GetResult()!;
            var own = SessionQueries.Search(lease.Connection, _query, 20).Count;
            var shared = SessionSharedDatabase.Search(_shared, SessionBenchmarkData.ProfileKeyOf(profile), Term, 20);
            if (own != shared)
            {
                throw new InvalidOperationException($"Profile {profile}: {own} hits in its own database, {shared} in the shared one.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _shared.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SharedDatabase() => SessionSharedDatabase.Search(_shared, SessionBenchmarkData.ProfileKeyOf(NextProfile()), Term, 20);

    [Benchmark]
    public async Task<int> PerProfileDatabase()
    {
        using var lease = await _pool.AcquireAsync(SessionBenchmarkData.ProfileDatabase(NextProfile()), create: false);
        return SessionQueries.Search(lease!.Connection, _query, 20).Count;
    }

    private int NextProfile() => ProfileAt(_next++ % ActiveProfiles);

    private static int ProfileAt(int i) => i * (SessionBenchmarkData.Profiles / ActiveProfiles);
}
