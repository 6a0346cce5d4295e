using BenchmarkDotNet.Attributes;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Benchmarks;

// Issue 11, speed: appending to the PostgreSQL session store with three replicas. A replica here is a separate host in
// this process: its own service provider built by AddHermesIsolation + AddPostgreSqlSessions, so its own
// PostgreSqlDatabase and NpgsqlDataSource (connection pool); three processes would add nothing the server sees (three
// pools of connections either way) and BenchmarkDotNet measures one process. The server runs with fsync and
// synchronous_commit on (each append's commit waits for its WAL flush), on the seeded database of
// SessionSearchPostgreSqlBenchmarks (1,000,000 messages).
// - OneReplica: one append (one message, one transaction: the session row touched, the message inserted) from one
//   replica, nothing else running: the latency of an append.
// - ThreeReplicasDifferentProfiles: the three replicas append at once, each to its own profile's session, Appends each in
//   a row; the figure is per append (OperationsPerInvoke), so appends per second = 1 / mean.
// - ThreeReplicasSameProfile: the same, all three to the same profile's same session (they queue on its row).
public class SessionAppendReplicasBenchmarks
{
    private const int Appends = 20;
    private static readonly SessionMessage[] Message = [new(SessionRoles.User, "benchmark message about the weather in hangzhou")];
    private readonly ServiceProvider[] _replicas = new ServiceProvider[3];
    private readonly string[] _sessions = new string[3];
    private BenchPostgresServer _server = null!;
    private string _sharedSession = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = PostgresSessionData.StartSeeded();
        for (var r = 0; r < _replicas.Length; r++)
        {
            _replicas[r] = PostgresSessionData.Host(_server, Path.Combine(PostgresSessionData.Folder, "replica" + r));
            _sessions[r] = PostgresSessionData.InTurnAsync(_replicas[r], Profile(r), async store => (await store.OpenCurrentSessionAsync().ConfigureAwait(false)).Id).GetAwaiter().GetResult();
        }

        _sharedSession = _sessions[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var replica in _replicas)
        {
            replica.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _server.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> OneReplica() => AppendAsync(_replicas[0], Profile(0), _sessions[0], 1);

    [Benchmark(OperationsPerInvoke = 3 * Appends)]
    public Task ThreeReplicasDifferentProfiles() =>
        Task.WhenAll(Enumerable.Range(0, 3).Select(r => Task.Run(() => AppendAsync(_replicas[r], Profile(r), _sessions[r], Appends))));

    [Benchmark(OperationsPerInvoke = 3 * Appends)]
    public Task ThreeReplicasSameProfile() =>
        Task.WhenAll(Enumerable.Range(0, 3).Select(r => Task.Run(() => AppendAsync(_replicas[r], Profile(0), _sharedSession, Appends))));

    // Profiles far apart in the seeded range.
    private static int Profile(int replica) => replica * (SessionBenchmarkData.Profiles / 3);

    private static Task<int> AppendAsync(IServiceProvider replica, int profile, string session, int count) =>
        PostgresSessionData.InTurnAsync(replica, profile, async store =>
        {
            for (var i = 0; i < count; i++)
            {
                await store.AppendAsync(session, Message).ConfigureAwait(false);
            }

            return count;
        });
}
