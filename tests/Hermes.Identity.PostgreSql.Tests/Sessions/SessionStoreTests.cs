using System.Text.Json;
using Hermes.Identity.PersonalData;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.Sessions;

public sealed class SessionStoreTests(PostgresFixture postgres)
{
    private static SessionMessage User(string text) => new(SessionRoles.User, text);

    [Fact]
    public async Task Messages_sessions_titles_and_archives_round_trip_through_PostgreSQL()
    {
        await using var host = SessionHosts.PostgreSql(postgres.Require(), PostgresServer.NewSchema());
        await using var turn = host.Begin("telegram", Identities.Louis, chatId: "chat-a", kind: ChatKind.Group);
        var store = SessionHosts.Sessions(turn);
        var session = await store.OpenCurrentSessionAsync();
        Assert.Equal(session.Id, (await store.OpenCurrentSessionAsync()).Id);
        Assert.Equal(("telegram:group:chat-a", "chat-a", ChatKind.Group), (session.Key, session.ChatId, session.ChatKind));

        await store.AppendAsync(session.Id, [User("one"), new SessionMessage(SessionRoles.Assistant, "two") { ToolName = "search", ToolCallId = "call-1" }]);
        await store.AppendAsync(session.Id, [User("three 😀")]);
        var all = await store.GetMessagesAsync(session.Id);
        Assert.Equal(["one", "two", "three 😀"], all.Select(m => m.Content));
        Assert.Equal(("search", "call-1"), (all[1].ToolName, all[1].ToolCallId));
        Assert.Equal(["two", "three 😀"], (await store.GetMessagesAsync(session.Id, limit: 2)).Select(m => m.Content));
        Assert.Empty(await store.GetMessagesAsync(session.Id, limit: 0));

        var renamed = await store.RenameSessionAsync(session.Id, "  Plans  ");
        Assert.Equal("Plans", renamed.Title);
        var fresh = await store.StartNewSessionAsync("Second");
        Assert.Equal(fresh.Id, (await store.OpenCurrentSessionAsync()).Id);
        Assert.True((await store.ArchiveSessionAsync(fresh.Id)).Archived);
        Assert.Equal(session.Id, (await store.OpenCurrentSessionAsync()).Id);
        Assert.Equal([session.Id], (await store.ListSessionsAsync()).Select(s => s.Id));
        Assert.Equal(2, (await store.ListSessionsAsync(includeArchived: true)).Count);

        await store.DeleteSessionAsync(fresh.Id);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.GetSessionAsync(fresh.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.DeleteSessionAsync(fresh.Id));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendAsync("nope", [User("x")]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(session.Id, [new SessionMessage("robot", "x")]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(session.Id, [User("nul \0 inside")]));
        Assert.Equal(3, (await store.GetMessagesAsync(session.Id)).Count);
    }

    [Fact]
    public async Task One_profile_never_sees_or_touches_another_profiles_sessions()
    {
        await using var host = SessionHosts.PostgreSql(postgres.Require(), PostgresServer.NewSchema());
        string louisSession;
        await using (var louis = host.Begin("telegram", Identities.Louis))
        {
            var store = SessionHosts.Sessions(louis);
            louisSession = (await store.StartNewSessionAsync("louis only")).Id;
            await store.AppendAsync(louisSession, [User("the safe code is 4321")]);
        }

        SessionInfo own;
        await using (var mei = host.Begin("telegram", Identities.Mei))
        {
            var meis = SessionHosts.Sessions(mei);
            own = await meis.OpenCurrentSessionAsync();
            await meis.AppendAsync(own.Id, [User("my own note")]);

            Assert.Equal([own.Id], (await meis.ListSessionsAsync(includeArchived: true)).Select(s => s.Id));
            Assert.Empty(await meis.SearchAsync("safe code"));
            Assert.Empty(await meis.SearchAsync("louis"));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.GetSessionAsync(louisSession));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.GetMessagesAsync(louisSession));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.AppendAsync(louisSession, [User("injected")]));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.RenameSessionAsync(louisSession, "mine now"));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.ArchiveSessionAsync(louisSession));
            await Assert.ThrowsAsync<SessionNotFoundException>(() => meis.DeleteSessionAsync(louisSession));

            // The owner's policy-checked view reads mei's; mei (trusted) may not read everyone's.
            await Assert.ThrowsAsync<AccessDeniedException>(() => mei.Services.GetRequiredService<IAllSessionsReader>().ListProfilesAsync());
        }

        await using var owner = host.Begin("telegram", Identities.Louis);
        var reader = owner.Services.GetRequiredService<IAllSessionsReader>();
        Assert.Equal(["louis", "mei"], await reader.ListProfilesAsync());
        Assert.Equal(["my own note"], (await reader.GetMessagesAsync("mei", own.Id)).Select(m => m.Content));
        Assert.Equal(["the safe code is 4321"], (await reader.GetMessagesAsync("louis", louisSession)).Select(m => m.Content));
        await Assert.ThrowsAsync<SessionNotFoundException>(() => reader.GetMessagesAsync("mei", louisSession));
        Assert.Single(await reader.SearchAsync("mei", "own"));
        Assert.Empty(await reader.SearchAsync("mei", "safe"));
    }

    [Fact]
    public async Task Export_and_erase_of_a_person_cover_their_sessions_and_memory_in_PostgreSQL()
    {
        await using var host = SessionHosts.PostgreSql(postgres.Require(), PostgresServer.NewSchema(), memory: true);
        await using (var mei = host.Begin("telegram", Identities.Mei))
        {
            var store = SessionHosts.Sessions(mei);
            var session = await store.StartNewSessionAsync("mine");
            await store.AppendAsync(session.Id, [User("mei's message")]);
            await mei.Services.GetRequiredService<Hermes.Identity.Memory.IMemoryStore>().AddAsync(Hermes.Identity.Memory.MemoryFile.User, "Mei likes tea");
        }

        await using (var louis = host.Begin("telegram", Identities.Louis))
        {
            var store = SessionHosts.Sessions(louis);
            await store.AppendAsync((await store.OpenCurrentSessionAsync()).Id, [User("louis's message")]);
        }

        using var exportFolder = new TempDirectory("export");
        await using (var owner = host.Begin("telegram", Identities.Louis))
        {
            var data = owner.Services.GetRequiredService<ProfileData>();
            var export = await data.ExportAsync("mei", exportFolder.Combine("mei"));
            var json = await File.ReadAllTextAsync(exportFolder.Combine("mei", "sessions", "state.db"));
            using (var document = JsonDocument.Parse(json))
            {
                var session = Assert.Single(document.RootElement.GetProperty("sessions").EnumerateArray());
                Assert.Equal("mine", session.GetProperty("title").GetString());
                Assert.Equal("mei's message", Assert.Single(session.GetProperty("messages").EnumerateArray()).GetProperty("content").GetString());
                Assert.Equal("Mei likes tea", Assert.Single(document.RootElement.GetProperty("memory").GetProperty("USER.md").EnumerateArray()).GetString());
            }

            Assert.DoesNotContain("louis's message", json, StringComparison.Ordinal);
            Assert.True(export.Files >= 1);

            var erased = await data.EraseAsync("mei");
            Assert.True(erased.SessionDatabaseErased);
            Assert.Single(await SessionHosts.Sessions(owner).ListSessionsAsync());
        }

        await using var meiAgain = host.Begin("telegram", Identities.Mei);
        Assert.Empty(await SessionHosts.Sessions(meiAgain).ListSessionsAsync(includeArchived: true));
        Assert.Empty((await meiAgain.Services.GetRequiredService<Hermes.Identity.Memory.IMemoryStore>().ReadAsync()).User);
    }
}
