using BenchmarkDotNet.Attributes;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Benchmarks;

// Issue 11, speed: per-profile search at 1,000 profiles and 1,000,000 messages (HERMES_BENCH_PROFILES,
// HERMES_BENCH_MESSAGES_PER_PROFILE), three designs side by side on the same messages:
// - SharedTable (the baseline, the naive design): one SQLite table of everyone's messages with a user_id column and the
//   trigram FTS5 index, searched with "AND user_id = ?" (a term under 3 characters: LIKE over the user's rows);
// - SqlitePerProfile: the SQLite store, one database per profile (its pool and its SQL);
// - PostgreSql: the PostgreSQL session store (AddPostgreSqlSessions) through its public path: a turn of the person,
//   ISessionStore.SearchAsync (two statements: titles, then messages with the pg_trgm GIN index or, for a term under
//   3 characters, the profile's own rows).
// Terms: "hangzhou" (a typical word, in 1 message in 100), "西湖" (Chinese, 2 characters, in 1 message in 100) and "湖"
// (1 character, the same messages). The searches rotate over 16 profiles spread across the range; each design first
// must find the same number of messages for each of them. The data is seeded once and kept (SessionBenchmarkData,
// PostgresSessionData); the PostgreSQL server is started for the run and stopped after it.
[MemoryDiagnoser]
public class SessionSearchPostgreSqlBenchmarks
{
    private const int ActiveProfiles = 16;
    private BenchPostgresServer _server = null!;
    private ServiceProvider _host = null!;
    private SessionDatabasePool _pool = null!;
    private SqliteConnection _shared = null!;
    private SearchQuery _query = null!;
    private int _next;

    [Params("hangzhou", "西湖", "湖")]
    public string Term { get; set; } = "hangzhou";

    [GlobalSetup]
    public void Setup()
    {
        SessionBenchmarkData.EnsureBuilt();
        _server = PostgresSessionData.StartSeeded();
        _host = PostgresSessionData.Host(_server, Path.Combine(PostgresSessionData.Folder, "host"));
        _pool = new SessionDatabasePool(Options.Create(new SqliteSessionOptions()));
        _shared = SessionSharedDatabase.Open(SessionBenchmarkData.SharedDatabase, SqliteSynchronousMode.Full);
        _query = SearchQuery.Parse(Term)!;
        for (var i = 0; i < ActiveProfiles; i++)
        {
            var profile = ProfileAt(i);
            var shared = SessionSharedDatabase.Search(_shared, SessionBenchmarkData.ProfileKeyOf(profile), Term, 20);
            var own = SearchOwn(profile).GetAwaiter().GetResult();
            var postgres = SearchPostgres(profile).GetAwaiter().GetResult();
            if (own != shared || postgres != shared || shared == 0)
            {
                throw new InvalidOperationException($"Profile {profile}, '{Term}': {shared} hits in the shared table, {own} in its own database, {postgres} in PostgreSQL.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Dispose();
        _shared.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int SharedTable() => SessionSharedDatabase.Search(_shared, SessionBenchmarkData.ProfileKeyOf(NextProfile()), Term, 20);

    [Benchmark]
    public Task<int> SqlitePerProfile() => SearchOwn(NextProfile());

    [Benchmark]
    public Task<int> PostgreSql() => SearchPostgres(NextProfile());

    private async Task<int> SearchOwn(int profile)
    {
        using var lease = await _pool.AcquireAsync(SessionBenchmarkData.ProfileDatabase(profile), create: false);
        return SessionQueries.Search(lease!.Connection, _query, 20).Count;
    }

    private Task<int> SearchPostgres(int profile) =>
        PostgresSessionData.InTurnAsync(_host, profile, async store => (await store.SearchAsync(Term, 20).ConfigureAwait(false)).Count);

    private int NextProfile() => ProfileAt(_next++ % ActiveProfiles);

    private static int ProfileAt(int i) => i * (SessionBenchmarkData.Profiles / ActiveProfiles);
}
