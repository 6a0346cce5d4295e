using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Turns;

// A turn's DI scope is made when the turn first needs it: it is still one scope per turn, bound to that turn,
// reached the same through TurnScope.Services and ICurrentProfile.Services, and disposed when the turn ends.
public class TurnServicesTests
{
    [Fact]
    public async Task TurnScope_Services_and_ICurrentProfile_Services_are_the_one_scope_of_the_turn()
    {
        await using var host = new HermesHost(configure: s => s.AddScoped<Probe>());
        await using var turn = host.Begin("telegram", "222");

        // Through the accessor first, then the turn: the same scope either way.
        var viaCurrent = host.Current.Services.GetRequiredService<Probe>();
        var viaTurn = turn.Services.GetRequiredService<Probe>();
        Assert.Same(viaCurrent, viaTurn);
        Assert.Same(turn.Services, host.Current.Services);
        Assert.Same(turn.Context, turn.Services.GetRequiredService<TurnContext>());
        Assert.Equal("mei", host.Current.Services.GetRequiredService<AgentProfile>().Key);
    }

    [Fact]
    public async Task Two_turns_never_share_a_scope()
    {
        await using var host = new HermesHost(configure: s => s.AddScoped<Probe>());
        Probe first;
        await using (var turn = host.Begin("telegram", "222"))
        {
            first = turn.Services.GetRequiredService<Probe>();
        }

        await using (var turn = host.Begin("telegram", "111"))
        {
            Assert.NotSame(first, turn.Services.GetRequiredService<Probe>());
            Assert.Equal("louis", turn.Services.GetRequiredService<AgentProfile>().Key);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ending_the_turn_disposes_what_its_scope_made(bool async)
    {
        await using var host = new HermesHost(configure: s => s.AddScoped<Probe>());
        var turn = host.Begin("telegram", "222");
        var probe = host.Current.Services.GetRequiredService<Probe>();
        Assert.False(probe.Disposed);

        if (async)
        {
            await turn.DisposeAsync();
        }
        else
        {
            turn.Dispose();
        }

        Assert.True(probe.Disposed);
        Assert.Throws<NoActiveTurnException>(() => turn.Services);
        Assert.Throws<NoActiveTurnException>(() => host.Current.Services);
    }

    [Fact]
    public async Task A_turn_that_never_used_its_services_ends_cleanly_and_has_none_afterwards()
    {
        await using var host = new HermesHost();
        var turn = host.Begin("telegram", "222");
        Assert.Equal("mei", host.Current.Profile.Key);
        await turn.DisposeAsync();
        await turn.DisposeAsync(); // twice is fine

        Assert.False(host.Current.IsInTurn);
        Assert.Throws<NoActiveTurnException>(() => turn.Services);
        Assert.Throws<NoActiveTurnException>(() => host.Current.Services);
    }

    [Fact]
    public async Task Threads_racing_to_first_use_the_services_get_one_scope()
    {
        await using var host = new HermesHost(configure: s => s.AddScoped<Probe>());
        for (var round = 0; round < 50; round++)
        {
            await using var turn = host.Begin("telegram", "222");
            using var start = new ManualResetEventSlim();
            var probes = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.Wait(TestContext.Current.CancellationToken);
                return turn.Services.GetRequiredService<Probe>();
            })).ToArray();
            start.Set();
            var seen = await Task.WhenAll(probes);
            Assert.All(seen, p => Assert.Same(seen[0], p));
            Assert.All(seen, p => Assert.False(p.Disposed));
        }
    }

    [Fact]
    public async Task A_service_resolved_from_the_turns_scope_in_a_task_the_turn_started_is_still_that_turns()
    {
        await using var host = new HermesHost();
        await using var turn = host.Begin("telegram", "222");

        // The first use of the scope happens on another thread, inside the turn's flow.
        var context = await Task.Run(() => host.Current.Services.GetRequiredService<TurnContext>(), TestContext.Current.CancellationToken);

        Assert.Same(turn.Context, context);
        context.ThrowIfNotCurrent();
    }

    private sealed class Probe : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
