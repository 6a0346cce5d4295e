using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

public sealed class SessionStoreTests
{
    private static ISessionStore Store(TurnScope turn) => turn.Services.GetRequiredService<ISessionStore>();

    private static SessionMessage User(string text) => new(SessionRoles.User, text);

    [Fact]
    public async Task Appended_messages_come_back_in_order_and_limit_takes_the_latest()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("1");
        var store = Store(turn);
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [User("one"), new SessionMessage(SessionRoles.Assistant, "two") { ToolName = "search", ToolCallId = "call-1" }]);
        await store.AppendAsync(session.Id, [User("three")]);

        var all = await store.GetMessagesAsync(session.Id);
        Assert.Equal(["one", "two", "three"], all.Select(m => m.Content));
        Assert.Equal(("search", "call-1"), (all[1].ToolName, all[1].ToolCallId));
        Assert.All(all, m => Assert.NotNull(m.Id));
        Assert.Equal(["two", "three"], (await store.GetMessagesAsync(session.Id, limit: 2)).Select(m => m.Content));
        Assert.True(File.Exists(data.DatabaseOf("louis")));
    }

    [Fact]
    public async Task The_current_session_is_kept_per_conversation()
    {
        await using var data = new TestData();
        SessionInfo first;
        await using (var turn = data.BeginTurn("1", "chat-a", ChatKind.Group))
        {
            first = await Store(turn).OpenCurrentSessionAsync();
            Assert.Equal(first.Id, (await Store(turn).OpenCurrentSessionAsync()).Id);
            Assert.Equal("telegram:group:chat-a", first.Key);
            Assert.Equal(("chat-a", ChatKind.Group), (first.ChatId, first.ChatKind));
        }

        await using (var again = data.BeginTurn("1", "chat-a", ChatKind.Group))
        {
            Assert.Equal(first.Id, (await Store(again).OpenCurrentSessionAsync()).Id);
        }

        await using var other = data.BeginTurn("1", "chat-b", ChatKind.Group);
        Assert.NotEqual(first.Id, (await Store(other).OpenCurrentSessionAsync()).Id);
    }

    [Fact]
    public async Task A_direct_chat_without_a_chat_id_and_a_group_are_different_conversations()
    {
        await using var data = new TestData();
        SessionInfo direct;
        await using (var turn = data.BeginTurn("2"))
        {
            direct = await Store(turn).OpenCurrentSessionAsync();
            Assert.Equal(("telegram:direct:-", null), (direct.Key, direct.ChatId));
        }

        await using var group = data.BeginTurn("2", "-1001", ChatKind.Group);
        var inGroup = await Store(group).OpenCurrentSessionAsync();
        Assert.Equal("telegram:group:-1001", inGroup.Key);
        Assert.NotEqual(direct.Id, inGroup.Id);
        Assert.Equal(2, (await Store(group).ListSessionsAsync()).Count);
    }

    [Fact]
    public async Task In_a_group_each_person_has_their_own_session_in_their_own_file()
    {
        await using var data = new TestData();
        string louisSession, meiSession;
        await using (var turn = data.BeginTurn("1", "family", ChatKind.Group))
        {
            louisSession = (await Store(turn).OpenCurrentSessionAsync()).Id;
            await Store(turn).AppendAsync(louisSession, [User("louis in the group")]);
        }

        await using (var turn = data.BeginTurn("2", "family", ChatKind.Group))
        {
            meiSession = (await Store(turn).OpenCurrentSessionAsync()).Id;
            await Store(turn).AppendAsync(meiSession, [User("mei in the group")]);
            Assert.Equal(["mei in the group"], (await Store(turn).GetMessagesAsync(meiSession)).Select(m => m.Content));
        }

        Assert.NotEqual(louisSession, meiSession);
        Assert.True(File.Exists(data.DatabaseOf("louis")));
        Assert.True(File.Exists(data.DatabaseOf("mei")));
    }

    [Fact]
    public async Task Search_history_and_listing_never_cross_profiles()
    {
        await using var data = new TestData();
        await using (var mei = data.BeginTurn("2"))
        {
            var s = await Store(mei).OpenCurrentSessionAsync();
            await Store(mei).RenameSessionAsync(s.Id, "secret birthday plan");
            await Store(mei).AppendAsync(s.Id, [User("the secret birthday plan for louis")]);
        }

        await using var louis = data.BeginTurn("1");
        var own = await Store(louis).OpenCurrentSessionAsync();
        await Store(louis).AppendAsync(own.Id, [User("my own notes")]);

        Assert.Empty(await Store(louis).SearchAsync("secret"));
        Assert.Empty(await Store(louis).SearchAsync("birthday plan"));
        Assert.Empty(await Store(louis).SearchAsync("se"));
        Assert.Equal([own.Id], (await Store(louis).ListSessionsAsync(includeArchived: true)).Select(s => s.Id));
        Assert.Equal(own.Id, Assert.Single(await Store(louis).SearchAsync("notes")).SessionId);
    }

    [Fact]
    public async Task A_session_id_of_another_profile_answers_exactly_like_one_that_does_not_exist()
    {
        await using var data = new TestData();
        string meiSession;
        await using (var mei = data.BeginTurn("2"))
        {
            meiSession = (await Store(mei).OpenCurrentSessionAsync()).Id;
            await Store(mei).AppendAsync(meiSession, [User("mei's message")]);
        }

        var missing = Guid.CreateVersion7().ToString("N");
        await using (var louis = data.BeginTurn("1"))
        {
            await AssertForeignIsMissingAsync(Store(louis), meiSession, missing);
        }

        await using var again = data.BeginTurn("2");
        var untouched = await Store(again).GetSessionAsync(meiSession);
        Assert.Null(untouched.Title);
        Assert.False(untouched.Archived);
        Assert.Equal(["mei's message"], (await Store(again).GetMessagesAsync(meiSession)).Select(m => m.Content));
    }

    private static async Task AssertForeignIsMissingAsync(ISessionStore store, string meiSession, string missing)
    {
        Func<string, Task>[] operations =
        [
            id => store.GetSessionAsync(id),
            id => store.GetMessagesAsync(id),
            id => store.AppendAsync(id, [User("written by louis")]),
            id => store.RenameSessionAsync(id, "mine now"),
            id => store.ArchiveSessionAsync(id),
            id => store.DeleteSessionAsync(id),
        ];
        foreach (var operation in operations)
        {
            var foreign = await Assert.ThrowsAsync<SessionNotFoundException>(() => operation(meiSession));
            var nonexistent = await Assert.ThrowsAsync<SessionNotFoundException>(() => operation(missing));
            Assert.Equal(nonexistent.Message.Replace(missing, "<id>", StringComparison.Ordinal), foreign.Message.Replace(meiSession, "<id>", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("公园散步", "今天天气很好，我们去公园散步吧")]
    [InlineData("公园", "今天天气很好，我们去公园散步吧")]
    [InlineData("天气 散步", "今天天气很好，我们去公园散步吧")]
    [InlineData("雨", "明天要下雨，记得带伞")]
    [InlineData("带伞", "明天要下雨，记得带伞")]
    [InlineData("東京", "来週、東京で会いましょう")]
    [InlineData("WEATHER", "What's the weather like in Shanghai?")]
    [InlineData("shang", "What's the weather like in Shanghai?")]
    public async Task Search_finds_chinese_japanese_and_english_text(string query, string expected)
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2");
        var store = Store(turn);
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [User("今天天气很好，我们去公园散步吧"), User("明天要下雨，记得带伞"), User("来週、東京で会いましょう"), User("What's the weather like in Shanghai?")]);

        var hits = await store.SearchAsync(query);
        var hit = Assert.Single(hits);
        Assert.Equal(session.Id, hit.SessionId);
        Assert.Equal(SessionRoles.User, hit.Role);
        var message = (await store.GetMessagesAsync(session.Id)).Single(m => m.Id == hit.MessageId);
        Assert.Equal(expected, message.Content);
        Assert.Empty(await store.SearchAsync("下雪"));
    }

    [Theory]
    [InlineData("\"unbalanced")]
    [InlineData("NEAR(a b)")]
    [InlineData("a* OR b")]
    [InlineData("100%")]
    [InlineData("_")]
    [InlineData("col:value")]
    [InlineData("   ")]
    public async Task Search_treats_query_syntax_as_plain_text(string query)
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2");
        var store = Store(turn);
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [User("nothing to see here")]);
        Assert.Empty(await store.SearchAsync(query));
    }

    [Fact]
    public async Task Like_wildcards_in_a_short_term_match_literally()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2");
        var store = Store(turn);
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [User("up 5% today"), User("up 50 today")]);
        var hit = Assert.Single(await store.SearchAsync("5%"));
        Assert.Equal("up 5% today", (await store.GetMessagesAsync(session.Id)).Single(m => m.Id == hit.MessageId).Content);
    }

    [Fact]
    public async Task A_batch_with_one_bad_message_stores_nothing()
    {
        await using var data = new TestData(o => o.MaxMessageLength = 10);
        await using var turn = data.BeginTurn("2");
        var store = Store(turn);
        var session = await store.OpenCurrentSessionAsync();
        var role = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(session.Id, [User("fine"), new SessionMessage("admin", "x")]));
        Assert.Contains("user, assistant, tool or system", role.Message, StringComparison.Ordinal);
        var length = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(session.Id, [User("fine"), User("far too long for ten")]));
        Assert.Contains("at most 10", length.Message, StringComparison.Ordinal);
        Assert.Empty(await store.GetMessagesAsync(session.Id));
    }

    [Fact]
    public async Task Archive_rename_start_new_and_delete_do_what_they_say()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2");
        var store = Store(turn);
        var first = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(first.Id, [User("first session text")]);

        var renamed = await store.RenameSessionAsync(first.Id, "  Trip to Hangzhou  ");
        Assert.Equal("Trip to Hangzhou", renamed.Title);
        var titleHit = Assert.Single(await store.SearchAsync("hangzhou"));
        Assert.Null(titleHit.MessageId);
        Assert.Equal(first.Id, titleHit.SessionId);

        var second = await store.StartNewSessionAsync("second");
        Assert.Equal(second.Id, (await store.OpenCurrentSessionAsync()).Id);

        Assert.True((await store.ArchiveSessionAsync(second.Id)).Archived);
        Assert.Equal([first.Id], (await store.ListSessionsAsync()).Select(s => s.Id));
        Assert.Equal(2, (await store.ListSessionsAsync(includeArchived: true)).Count);
        Assert.Equal(first.Id, (await store.OpenCurrentSessionAsync()).Id);

        await store.DeleteSessionAsync(first.Id);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.GetMessagesAsync(first.Id));
        Assert.Empty(await store.SearchAsync("first session"));
        Assert.NotEqual(first.Id, (await store.OpenCurrentSessionAsync()).Id);
    }

    [Fact]
    public async Task The_store_is_bound_to_the_turn_that_resolved_it()
    {
        await using var data = new TestData();
        await using var mei = data.BeginTurn("2");
        var session = await Store(mei).OpenCurrentSessionAsync();
        await Store(mei).AppendAsync(session.Id, [User("hello")]);
        Assert.True(File.Exists(data.DatabaseOf("mei")));
        Assert.False(File.Exists(data.DatabaseOf("louis")));
    }

    [Fact]
    public async Task Outside_a_turn_there_is_no_session_store()
    {
        await using var data = new TestData();
        await using var scope = data.Services.CreateAsyncScope();
        Assert.ThrowsAny<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<ISessionStore>());
    }
}
