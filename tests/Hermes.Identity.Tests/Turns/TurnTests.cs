using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Turns;

// Invariant 2 (fail closed) and the per-turn profile.
public class TurnTests
{
    [Fact]
    public async Task A_turn_sets_the_current_profile_and_ending_it_clears_it()
    {
        await using var host = new HermesHost();
        Assert.False(host.Current.IsInTurn);

        var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "222", "g1", ChatKind.Group, "Louis (owner)"));
        await using (var turn = host.Turns.BeginTurn(resolution))
        {
            Assert.True(host.Current.IsInTurn);
            Assert.Equal("mei", host.Current.Profile.Key);
            Assert.Same(turn.Context, host.Current.Turn);
            Assert.Equal("mei", turn.Services.GetRequiredService<AgentProfile>().Key);
            Assert.Same(turn.Context, turn.Services.GetRequiredService<TurnContext>());
            Assert.Equal("telegram:222", turn.Context.Sender.Principal.ToString());
            Assert.Matches("^[0-9a-f]{32}$", turn.Context.Nonce);
        }

        Assert.False(host.Current.IsInTurn);
        Assert.Throws<NoActiveTurnException>(() => host.Current.Profile);
    }

    [Fact]
    public async Task Outside_a_turn_there_is_no_profile_and_never_the_owner()
    {
        await using var host = new HermesHost();
        var ex = Assert.Throws<NoActiveTurnException>(() => host.Current.Profile);
        Assert.Contains("never falls back", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NoActiveTurnException>(() => host.Current.Turn);
    }

    [Fact]
    public async Task Profile_bound_services_cannot_be_built_outside_a_turn_scope()
    {
        await using var host = new HermesHost();
        await using var plainScope = host.Services.CreateAsyncScope();
        Assert.Throws<NoActiveTurnException>(() => plainScope.ServiceProvider.GetRequiredService<AgentProfile>());
        Assert.Throws<NoActiveTurnException>(() => plainScope.ServiceProvider.GetRequiredService<TurnContext>());
    }

    [Fact]
    public async Task A_rejected_sender_gets_no_turn()
    {
        await using var host = new HermesHost(Identities.Story.Replace("unknown_senders: guest", "unknown_senders: deny", StringComparison.Ordinal));
        var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "999", displayName: "Louis"));

        var ex = Assert.Throws<SenderRejectedException>(() => host.Turns.BeginTurn(resolution));
        Assert.Contains("telegram:999", ex.Message, StringComparison.Ordinal);
        Assert.False(host.Current.IsInTurn);
        Assert.Throws<ArgumentNullException>(() => host.Turns.BeginTurn(null!));
    }

    [Fact]
    public async Task A_resolver_that_throws_leaves_no_turn_and_no_profile()
    {
        await using var host = new HermesHost(configure: s => s.AddSingleton<IIdentityResolver, ThrowingResolver>());
        await Assert.ThrowsAsync<TimeoutException>(async () => await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "111")));
        Assert.False(host.Current.IsInTurn);
    }

    [Fact]
    public async Task Turns_do_not_nest()
    {
        await using var host = new HermesHost();
        await using var turn = host.Begin("telegram", "222");
        var louis = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "111"));
        Assert.Throws<InvalidOperationException>(() => host.Turns.BeginTurn(louis));
        Assert.Equal("mei", host.Current.Profile.Key);
    }

    [Fact]
    public async Task Work_started_during_a_turn_sees_the_turn_end()
    {
        await using var host = new HermesHost();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        Task<bool> background;
        var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "222"));
        await using (host.Turns.BeginTurn(resolution))
        {
            background = Task.Run(async () =>
            {
                started.SetResult();
                await release.Task;
                return host.Current.IsInTurn;
            });
            await started.Task;
        }

        release.SetResult();
        Assert.False(await background);
    }

    [Fact]
    public async Task Hundreds_of_interleaved_turns_never_see_each_others_profile()
    {
        await using var host = new HermesHost();
        var people = new[] { ("telegram", "111", "louis"), ("telegram", "222", "mei"), ("wechat", "wx_a1", "ah-ma"), ("telegram", "5", "guest-telegram-") };
        var mistakes = 0;

        async Task OneTurn(int i)
        {
            var (platform, id, expected) = people[i % people.Length];
            var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope(platform, id, "group-1", ChatKind.Group, "Louis"));
            await using var turn = host.Turns.BeginTurn(resolution);
            for (var step = 0; step < 20; step++)
            {
                if (step % 3 == 0)
                {
                    await Task.Yield();
                }
                else
                {
                    await Task.Delay(i % 3);
                }

                var seen = host.Current.Profile.Key;
                var scoped = turn.Services.GetRequiredService<AgentProfile>().Key;
                if (!seen.StartsWith(expected, StringComparison.Ordinal) || seen != scoped || seen != turn.Profile.Key)
                {
                    Interlocked.Increment(ref mistakes);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => OneTurn(i))));
        Assert.Equal(0, mistakes);
        Assert.False(host.Current.IsInTurn);
    }

    [Fact]
    public async Task A_turn_begun_inside_an_async_helper_is_not_current_in_its_caller_and_the_error_says_why()
    {
        await using var host = new HermesHost();
        async Task<TurnScope> BeginInHelper()
        {
            var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "222"));
            return host.Turns.BeginTurn(resolution);
        }

        await using var turn = await BeginInHelper();
        // Fail closed: the scope still knows its profile, the ambient accessor refuses rather than guessing.
        Assert.Equal("mei", turn.Services.GetRequiredService<AgentProfile>().Key);
        var ex = Assert.Throws<NoActiveTurnException>(() => host.Current.Profile);
        Assert.Contains("async helper", ex.Message, StringComparison.Ordinal);
    }

    private sealed class ThrowingResolver : IIdentityResolver
    {
        public ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender, CancellationToken cancellationToken = default)
            => throw new TimeoutException("identity service down");
    }
}
