namespace Hermes.Identity.Tests.Turns;

// The nonce is drawn ahead, 4 KiB of CSPRNG bytes at a time: across many refills, on several threads, every nonce is
// 32 hex digits and none repeats, and a refill does not hand out the zeros it cleared.
public sealed class TurnNonceTests
{
    [Fact]
    public async Task Nonces_never_repeat_across_refills_and_threads()
    {
        const int PerThread = 2_000; // about eight refills of the 256-nonce buffer on each thread
        var all = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var mine = new string[PerThread];
            for (var i = 0; i < PerThread; i++)
            {
                mine[i] = TurnNonce.Create();
            }

            return mine;
        }, TestContext.Current.CancellationToken)));

        var nonces = all.SelectMany(n => n).ToList();
        Assert.All(nonces, n => Assert.Matches("^[0-9a-f]{32}$", n));
        Assert.DoesNotContain(new string('0', 32), nonces);
        Assert.Equal(nonces.Count, nonces.Distinct(StringComparer.Ordinal).Count());
    }
}
