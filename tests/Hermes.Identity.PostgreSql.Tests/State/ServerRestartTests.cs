using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.State;

// The PostgreSQL server stopped and started again under a stream of commits, on a server of this test's own: first a
// clean shutdown (fast), then a crash (immediate, WAL recovery at start). Commits fail with a StateStoreException that
// says what to check while it is down, succeed again once it is back, and every acknowledged commit is there afterwards.
public sealed class ServerRestartTests
{
    [Fact]
    public async Task Writes_fail_clearly_while_the_server_is_down_and_resume_after_it_is_back_with_nothing_acknowledged_lost()
    {
        await using var server = await PostgresFixture.StartOwnAsync();
        var schema = PostgresServer.NewSchema();
        await using var provider = Stores.Provider(server, schema, tune: o =>
        {
            o.MaxRetries = 2;
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });
        var store = provider.GetRequiredService<IIdentityStateStore>();

        var acked = new List<int>();
        var failures = new List<StateStoreException>();
        var next = 0;
        foreach (var mode in new[] { "fast", "immediate" })
        {
            var failed = new TaskCompletionSource();
            var resumed = new TaskCompletionSource();
            var ackedBefore = 0;
            var restarted = false;
            var afterRestart = 0;
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var i = next++;
                    try
                    {
                        Assert.True(await store.TryCommitAsync([StateChange.Put("stream", $"n{i:D6}", $$"""{"i":{{i}}}""", 0)]));
                        lock (acked)
                        {
                            acked.Add(i);
                            ackedBefore++;
                            if (Volatile.Read(ref restarted) && ++afterRestart >= 20)
                            {
                                resumed.TrySetResult();
                            }
                        }
                    }
                    catch (StateStoreException ex)
                    {
                        lock (acked)
                        {
                            failures.Add(ex);
                        }

                        failed.TrySetResult();
                    }
                }
            });

            await WaitUntilAsync(() => { lock (acked) { return ackedBefore >= 20; } });
            await server.StopAsync(mode);
            await failed.Task.WaitAsync(HangGuard.Timeout);
            await server.StartAsync();
            Volatile.Write(ref restarted, true);
            await resumed.Task.WaitAsync(HangGuard.Timeout);
            await stop.CancelAsync();
            await writer.WaitAsync(HangGuard.Timeout);
        }

        var failure = failures[0];
        Assert.Contains("PostgreSQL", failure.Message, StringComparison.Ordinal);
        Assert.Contains(schema, failure.Message, StringComparison.Ordinal);
        Assert.Matches("could not be reached|may or may not have been applied", failure.Message);
        Assert.NotNull(failure.InnerException);

        var stored = (await store.ListAsync("stream")).Select(r => int.Parse(r.Key[1..], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.All(acked, i => Assert.Contains(i, stored));
        // Besides the acknowledged ones, only commits whose outcome was reported as unknown can be there.
        Assert.True(stored.Count - acked.Count <= failures.Count(f => f.Message.Contains("may or may not", StringComparison.Ordinal)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(HangGuard.Timeout);
        while (!condition())
        {
            await Task.Delay(10, guard.Token);
        }
    }
}
