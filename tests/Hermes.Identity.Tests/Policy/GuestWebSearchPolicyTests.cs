using CustomPolicyBackend;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Policy;

// The sample ABAC backend in samples/CustomPolicyBackend, plugged in next to the built-in roles.
public sealed class GuestWebSearchPolicyTests
{
    private static readonly string[] Tools = ["read_file", "write_file", "web_search"];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PolicyTestHost CreateHost() => PolicyTestHost.Create(configure: b =>
    {
        b.Services.AddSingleton<TimeProvider>(_time);
        b.AddGuestWebSearchLimit(searchesPerHour: 3);
    });

    [Fact]
    public async Task A_guest_in_a_direct_chat_may_search_the_web_a_few_times_an_hour()
    {
        await using var host = CreateHost();
        await using var turn = host.BeginTurn("999", chatKind: ChatKind.Direct);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await host.Engine.AuthorizeToolCallAsync("web_search", "call-" + i, cancellationToken: Ct)).IsAllowed);
        }

        var fourth = await host.Engine.AuthorizeToolCallAsync("web_search", "call-3", cancellationToken: Ct);
        Assert.Equal(PolicyEffect.Deny, fourth.Effect);
        Assert.Contains("3 times an hour", fourth.Reason, StringComparison.Ordinal);
        Assert.Equal(["sample:guest-web/per-hour"], fourth.RuleIds);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.True((await host.Engine.AuthorizeToolCallAsync("web_search", "call-4", cancellationToken: Ct)).IsAllowed);
    }

    [Theory]
    [InlineData(ChatKind.Group)]
    [InlineData(ChatKind.Channel)]
    public async Task A_guest_outside_a_direct_chat_may_not_search_the_web(ChatKind kind)
    {
        await using var host = CreateHost();
        await using var turn = host.BeginTurn("999", chatKind: kind);

        var decision = await host.Engine.AuthorizeToolCallAsync("web_search", "call-1", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("direct chat", decision.Reason, StringComparison.Ordinal);
        Assert.Equal(["read_file"], await host.Engine.GetVisibleToolsAsync(Tools, Ct));
    }

    [Fact]
    public async Task Listing_the_visible_tools_uses_up_no_search()
    {
        await using var host = CreateHost();
        await using var turn = host.BeginTurn("999", chatKind: ChatKind.Direct);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(["read_file", "web_search"], await host.Engine.GetVisibleToolsAsync(Tools, Ct));
        }

        Assert.True((await host.Engine.AuthorizeToolCallAsync("web_search", "call-1", cancellationToken: Ct)).IsAllowed);
    }

    [Fact]
    public async Task Only_guests_are_limited()
    {
        await using var host = CreateHost();
        await using var turn = host.BeginTurn("222", chatKind: ChatKind.Group);

        for (var i = 0; i < 5; i++)
        {
            Assert.True((await host.Engine.AuthorizeToolCallAsync("web_search", "call-" + i, cancellationToken: Ct)).IsAllowed);
        }
    }

    [Fact]
    public async Task The_backend_narrows_what_the_roles_grant_and_never_widens_it()
    {
        await using var host = CreateHost();
        await using var turn = host.BeginTurn("999", chatKind: ChatKind.Direct);

        var write = await host.Engine.AuthorizeToolCallAsync("write_file", "call-1", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, write.Effect);
        Assert.Contains("role guest", write.Reason, StringComparison.Ordinal);
    }
}
