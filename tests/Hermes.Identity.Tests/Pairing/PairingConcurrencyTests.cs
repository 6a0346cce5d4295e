using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Pairing;

// Several hosts on one data root share one state database, as processes on one machine do: each has its own store
// instance and its own SQLite connections, so only the store's compare-and-swap keeps them in step.
public sealed class PairingConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_senders_asking_at_once_through_ten_hosts_get_at_most_three_codes()
    {
        var folder = new TempDirectory("pairing");
        var hosts = Enumerable.Range(0, 10).Select(i => new PairingHost(yaml: i == 0 ? PairingHost.Yaml : null, folder: folder)).ToArray();
        try
        {
            using var start = new Barrier(hosts.Length);
            var resolutions = await Task.WhenAll(hosts.Select((host, i) => Task.Run(async () =>
            {
                start.SignalAndWait(Ct);
                return await host.ResolveAsync("telegram", "90" + i);
            }, Ct)));

            var codes = resolutions.Where(r => r.PairingRequest is not null).Select(r => r.PairingRequest!.Code).ToList();
            Assert.Equal(3, codes.Count);
            Assert.Equal(3, codes.Distinct().Count());
            Assert.All(resolutions, r => Assert.False(r.IsAdmitted));
            Assert.Equal(7, resolutions.Count(r => r.RejectionReason!.Contains("Too many people are waiting", StringComparison.Ordinal)));

            var pending = await hosts[0].AsLouisAsync(p => p.ListPendingAsync("telegram", Ct));
            Assert.Equal(codes.Order(), pending.Select(p => p.Code).Order());
        }
        finally
        {
            foreach (var host in hosts[1..])
            {
                await host.StopAsync();
            }

            await hosts[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_hosts_approving_the_same_code_at_once_pair_it_once()
    {
        var folder = new TempDirectory("pairing");
        var a = new PairingHost(folder: folder);
        var b = new PairingHost(yaml: null, folder: folder);
        try
        {
            var code = await a.CodeForAsync("999");
            var outcomes = await Task.WhenAll(
                Task.Run(() => Outcome(a.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct))), Ct),
                Task.Run(() => Outcome(b.AsLouisAsync(p => p.ApproveAsync("telegram", code, "trusted", "alex2", Ct))), Ct));

            Assert.Single(outcomes, o => o is null);
            Assert.Single(outcomes, o => o == PairingRefusal.AlreadyUsed);
            var paired = Assert.Single(await a.AsLouisAsync(p => p.ListPairedAsync(Ct)));
            Assert.Equal("telegram:999", paired.Account);
        }
        finally
        {
            await b.StopAsync();
            await a.DisposeAsync();
        }

        static async Task<PairingRefusal?> Outcome(Task<PairedAccount> approve)
        {
            try
            {
                await approve;
                return null;
            }
            catch (PairingException ex)
            {
                return ex.Reason;
            }
        }
    }

    [Fact]
    public async Task A_pairing_and_a_revocation_made_by_another_host_take_effect_within_the_refresh_interval()
    {
        var folder = new TempDirectory("pairing");
        var a = new PairingHost(folder: folder);
        var bTime = new FakeTimeProvider(PairingHost.Start);
        var b = new PairingHost(yaml: null, folder: folder, time: bTime);
        try
        {
            Assert.False((await b.ResolveAsync("telegram", "999")).IsAdmitted); // b has read the store: nobody paired

            // The stranger asked on a (b gave them a code too: the same one, from the shared store).
            var code = (await b.ResolveAsync("telegram", "999")).PairingRequest!.Code;
            await a.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct));
            Assert.True((await a.ResolveAsync("telegram", "999")).IsAdmitted); // at once where it was approved

            bTime.Advance(TimeSpan.FromSeconds(1));
            var onB = await b.ResolveAsync("telegram", "999");
            Assert.True(onB.IsAdmitted);
            Assert.Equal("alex", onB.Profile!.Key);
            Assert.Equal(a.Snapshot.Revision, b.Snapshot.Revision);

            await a.AsLouisAsync(p => p.RevokeAccountAsync("telegram", "999", Ct));
            bTime.Advance(TimeSpan.FromSeconds(1));
            Assert.False((await b.ResolveAsync("telegram", "999")).IsAdmitted);
            Assert.Throws<SenderRejectedException>(() => b.Host.Turns.BeginTurn(onB));
        }
        finally
        {
            await b.StopAsync();
            await a.DisposeAsync();
        }
    }
}
