using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// The memory tool on the real memory files and session_search on the real SQLite session store.
public sealed class MemoryAndSessionToolTests
{
    private static readonly SenderEnvelope Mei = ToolsHost.Mei;

    [Fact]
    public async Task Memory_adds_replaces_removes_and_reads_the_persons_own_files()
    {
        await using var host = new ToolsHost();
        var added = (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "memory", "content": "Mei's garden has tomatoes"}""")).Ok();
        Assert.Equal("Entry added.", added.Str("message"));
        Assert.Equal(["Mei's garden has tomatoes"], added.GetProperty("entries").EnumerateArray().Select(e => e.GetString()));
        (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "user", "content": "Mei prefers green tea"}""")).Ok();
        Assert.Contains("already exists", (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "user", "content": "Mei prefers green tea"}""")).Ok().Str("message"), StringComparison.Ordinal);

        (await host.CallAsync(Mei, "memory", """{"action": "replace", "target": "user", "old_text": "green tea", "content": "Mei prefers oolong"}""")).Ok();
        Assert.Contains("Mei prefers oolong", File.ReadAllText(Path.Combine(host.Root, "memories", "mei", "USER.md")), StringComparison.Ordinal);
        (await host.CallAsync(Mei, "memory", """{"action": "remove", "target": "user", "old_text": "coffee"}""")).Fails("coffee");
        (await host.CallAsync(Mei, "memory", """{"action": "remove", "target": "user"}""")).Fails("old_text");
        (await host.CallAsync(Mei, "memory", """{"action": "remove", "target": "user", "old_text": "oolong"}""")).Ok();
        Assert.Empty((await host.CallAsync(Mei, "memory", """{"action": "read", "target": "user"}""")).Ok().GetProperty("entries").EnumerateArray());
        Assert.Equal(["Mei's garden has tomatoes"], (await host.CallAsync(Mei, "memory", """{"action": "read", "target": "memory"}""")).Ok().GetProperty("entries").EnumerateArray().Select(e => e.GetString()));

        // Hermes Agent's batch shape: applied in order.
        var batch = (await host.CallAsync(Mei, "memory", """{"target": "memory", "operations": [{"action": "add", "content": "likes hiking"}, {"action": "replace", "old_text": "tomatoes", "content": "Mei's garden has basil"}]}""")).Ok();
        Assert.Equal(["Mei's garden has basil", "likes hiking"], batch.GetProperty("entries").EnumerateArray().Select(e => e.GetString()));
        (await host.CallAsync(Mei, "memory", """{"target": "memory", "operations": [{"action": "add", "content": "third"}, {"action": "remove", "old_text": "nothing like this"}]}"""))
            .Fails("operation 2 (remove) failed", "Operations 1 to 1 were applied");

        (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "everyone", "content": "x"}""")).Fails("invalid target");
        (await host.CallAsync(Mei, "memory", """{"action": "forget", "target": "memory"}""")).Fails("unknown action");
    }

    [Fact]
    public async Task Memory_limits_and_policy_refusals_come_back_as_results()
    {
        await using var host = new ToolsHost();
        var error = (await host.CallAsync(Mei, "memory", $$"""{"action": "add", "target": "user", "content": "{{new string('x', 5000)}}"}""")).Fails("limited to");
        Assert.Contains("left", error, StringComparison.Ordinal);
        // A trusted person may not write the shared memory (memory.shared.write): the store refuses, the tool says so.
        (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "shared", "content": "everyone: the wifi password is tea"}""")).Fails("Refused", "memory.shared.write");
        (await host.CallAsync(Mei, "memory", """{"action": "read", "target": "shared"}""")).Fails("shared memory");
        Assert.False(File.Exists(Path.Combine(host.Root, "memories", "_shared", "MEMORY.md")) && File.ReadAllText(Path.Combine(host.Root, "memories", "_shared", "MEMORY.md")).Contains("wifi", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Session_search_finds_browses_and_reads_the_persons_own_sessions()
    {
        await using var host = new ToolsHost();
        var sessionId = await host.InTurnAsync(Mei, async turn =>
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            var session = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(session.Id, [new SessionMessage("user", "which oolong should I buy?"), new SessionMessage("assistant", "Try a Taiwanese high-mountain oolong.")]);
            await store.RenameSessionAsync(session.Id, "Tea shopping");
            var other = await store.StartNewSessionAsync("Garden");
            await store.AppendAsync(other.Id, [new SessionMessage("user", "the basil needs water")]);
            return session.Id;
        });

        var found = (await host.CallAsync(Mei, "session_search", """{"query": "oolong"}""")).Ok();
        var result = Assert.Single(found.GetProperty("results").EnumerateArray());
        Assert.Equal((sessionId, "Tea shopping"), (result.Str("session_id"), result.Str("title")));
        Assert.Equal(2, result.GetProperty("matches").GetArrayLength());
        var userOnly = (await host.CallAsync(Mei, "session_search", """{"query": "oolong", "role_filter": "user"}""")).Ok();
        Assert.Equal(["user"], userOnly.GetProperty("results")[0].GetProperty("matches").EnumerateArray().Select(m => m.Str("role")));
        Assert.Equal(2, (await host.CallAsync(Mei, "session_search", """{"query": "basil OR \"high-mountain\""}""")).Ok().Int("count"));
        Assert.Equal(0, (await host.CallAsync(Mei, "session_search", """{"query": "coffee"}""")).Ok().Int("count"));

        var browse = (await host.CallAsync(Mei, "session_search")).Ok();
        Assert.Equal("browse", browse.Str("mode"));
        Assert.Equal(["Garden", "Tea shopping"], browse.GetProperty("results").EnumerateArray().Select(r => r.Str("title")).Order(StringComparer.Ordinal));

        var read = (await host.CallAsync(Mei, "session_search", $$"""{"session_id": "{{sessionId}}"}""")).Ok();
        Assert.Equal(["which oolong should I buy?", "Try a Taiwanese high-mountain oolong."], read.GetProperty("messages").EnumerateArray().Select(m => m.Str("content")));
        (await host.CallAsync(Mei, "session_search", """{"session_id": "no-such-session"}""")).Fails();
    }
}
