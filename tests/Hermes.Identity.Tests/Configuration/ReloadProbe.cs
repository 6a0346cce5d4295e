using System.Diagnostics;
using Hermes.Identity.Configuration;
using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Hermes.Identity.Tests.Configuration;

// Builds a provider on the real file system and waits for what its watcher does, by signal, never by a sleep:
// the waits end as soon as the revision lands or the log line is written. The deadline (HangGuard) only stops a hang.
internal static class ReloadProbe
{
    public static readonly TimeSpan HangGuard = TestSupport.HangGuard.Timeout;

    public static YamlIdentitySnapshotProvider Provider(string identitiesFile, string root, FakeLogCollector? logs = null, InvalidIdentitiesBehavior onInvalid = InvalidIdentitiesBehavior.FailStartup)
    {
        var factory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                b.AddProvider(new FakeLoggerProvider(logs));
            }
        });
        return new(identitiesFile, root, TimeSpan.FromMilliseconds(20), onInvalid, new HermesMetrics(), TimeProvider.System, factory);
    }

    /// <summary>The revision a file with this text loads as.</summary>
    public static string RevisionOf(string yaml, string root) => IdentitySnapshot.Parse(yaml, root).Revision;

    /// <summary>Waits until the provider's revision is <paramref name="revision"/>.</summary>
    public static async Task WaitForRevisionAsync(YamlIdentitySnapshotProvider provider, string revision, string what)
    {
        var clock = Stopwatch.StartNew();
        while (provider.Revision != revision)
        {
            if (clock.Elapsed > HangGuard)
            {
                Assert.Fail($"No reload to revision {revision} within {HangGuard.TotalSeconds:0} s after {what}; still at {provider.Revision ?? "(none)"}. Watched: {string.Join(", ", provider.WatchedFolders)}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits for the first log record with event id <paramref name="eventId"/> and returns it.</summary>
    public static async Task<FakeLogRecord> WaitForLogAsync(FakeLogCollector logs, int eventId, string what)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(HangGuard);
        try
        {
            await foreach (var record in logs.GetLogsAsync(guard.Token))
            {
                if (record.Id.Id == eventId)
                {
                    return record;
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
        }

        Assert.Fail($"No log record {eventId} within {HangGuard.TotalSeconds:0} s after {what}. Logged: {string.Join(" | ", logs.GetSnapshot().Select(r => $"{r.Id.Id} {r.Message}"))}");
        return null!;
    }
}
