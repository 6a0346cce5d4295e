using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

public sealed class AllSessionsReaderTests
{
    private static async Task<string> WriteAsync(TestData data, string userId, string text)
    {
        await using var turn = data.BeginTurn(userId);
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, text)]);
        return session.Id;
    }

    [Theory]
    [InlineData("2")] // trusted
    [InlineData("3")] // guest
    [InlineData("77")] // unknown sender admitted as a guest
    public async Task Reading_every_session_is_refused_to_anyone_but_the_owner(string userId)
    {
        await using var data = new TestData();
        var louisSession = await WriteAsync(data, "1", "owner's private note");

        await using var turn = data.BeginTurn(userId);
        var all = turn.Services.GetRequiredService<IAllSessionsReader>();
        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => all.ListSessionsAsync("louis"));
        Assert.Contains("sessions.read.all", denied.Message, StringComparison.Ordinal);
        Assert.False(denied.Decision!.IsAllowed);
        await Assert.ThrowsAsync<AccessDeniedException>(() => all.GetMessagesAsync("louis", louisSession));
        await Assert.ThrowsAsync<AccessDeniedException>(() => all.SearchAsync("louis", "private"));
        await Assert.ThrowsAsync<AccessDeniedException>(() => all.ListProfilesAsync());
        // Not even a file for someone who never wrote: a refused call touches nothing.
        await Assert.ThrowsAsync<AccessDeniedException>(() => all.ListSessionsAsync("nobody"));
        Assert.False(Directory.Exists(Path.GetDirectoryName(data.DatabaseOf("nobody"))));

        // The built-in RBAC backend refuses first; the decision names the rule trail, not the owner's data.
        Assert.Contains("sessions.read.all", denied.Decision.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("owner's private note", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_owner_reads_every_profile_through_the_checked_api()
    {
        await using var data = new TestData();
        var meiSession = await WriteAsync(data, "2", "mei asks about 西湖 boat tickets");
        await WriteAsync(data, "3", "bob's question");

        await using var turn = data.BeginTurn("1");
        var all = turn.Services.GetRequiredService<IAllSessionsReader>();
        Assert.Equal(["bob", "mei"], await all.ListProfilesAsync());
        Assert.Equal(meiSession, Assert.Single(await all.ListSessionsAsync("mei")).Id);
        Assert.Equal("mei asks about 西湖 boat tickets", Assert.Single(await all.GetMessagesAsync("mei", meiSession)).Content);
        Assert.Equal(meiSession, Assert.Single(await all.SearchAsync("mei", "西湖")).SessionId);
        Assert.Empty(await all.SearchAsync("bob", "西湖"));
        Assert.Empty(await all.ListSessionsAsync("nobody"));
        Assert.False(File.Exists(data.DatabaseOf("nobody")));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => all.GetMessagesAsync("bob", meiSession));
        Assert.Equal(7, data.Policy.Requests.Count(r => r.Action == PolicyActions.SessionsReadAll && r.Subject.Key == "louis"));

        // The owner's own store still sees only the owner's sessions.
        Assert.Empty(await turn.Services.GetRequiredService<ISessionStore>().SearchAsync("西湖"));
    }

    [Fact]
    public async Task A_plugged_in_backend_that_refuses_stops_even_the_owner()
    {
        // The built-in RBAC allows the owner; every backend must allow, so one refusal is enough.
        await using var data = new TestData(backend: new RefusesEverything());
        await WriteAsync(data, "2", "mei's text");
        await using var turn = data.BeginTurn("1");
        var all = turn.Services.GetRequiredService<IAllSessionsReader>();
        await Assert.ThrowsAsync<AccessDeniedException>(() => all.ListSessionsAsync("mei"));
    }

    [Fact]
    public async Task A_malformed_profile_key_is_refused_before_any_path_is_built()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("1");
        var all = turn.Services.GetRequiredService<IAllSessionsReader>();
        await Assert.ThrowsAsync<ArgumentException>(() => all.ListSessionsAsync("../mei"));
    }

    private sealed class RefusesEverything : IPolicyBackend
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(PolicyDecision.Deny("This backend refuses everything."));
    }
}
