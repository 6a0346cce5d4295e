using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;
using static Hermes.Identity.AI.Tests.IsolationHarness;

namespace Hermes.Identity.AI.Tests;

public sealed class SessionHistoryTests
{
    [Fact]
    public async Task The_conversation_is_saved_to_and_reloaded_from_the_senders_own_session()
    {
        await using var h = Create(sessions: true);
        await h.SendAsync(Mei(), "remember: the blue door");
        var second = await h.SendAsync(Mei(), "hello again");
        var louis = await h.SendAsync(Louis(), "hello");

        Assert.True(second.Seen.Messages > 1, "Mei's earlier messages were replayed");
        Assert.Equal(1, louis.Seen.Messages);
        var stored = await h.InTurnAsync(Mei(), StoredMessages);
        Assert.Contains(stored, m => m.Role == "user" && m.Content == "remember: the blue door");
        Assert.Contains(stored, m => m.Role == SessionRoles.Assistant && m.ToolName == "memory");
        Assert.Contains(stored, m => m.Role == SessionRoles.Tool && m.Content.StartsWith("Saved to the memory of profile 'mei'.", StringComparison.Ordinal));
        Assert.DoesNotContain(stored, m => m.Role == "system");
        var louisStored = await h.InTurnAsync(Louis(), StoredMessages);
        Assert.DoesNotContain(louisStored, m => m.Content.Contains("blue door", StringComparison.Ordinal));
    }

    private static async ValueTask<IReadOnlyList<SessionMessage>> StoredMessages(TurnScope turn)
    {
        var store = turn.Services.GetRequiredService<ISessionStore>();
        return await store.GetMessagesAsync((await store.OpenCurrentSessionAsync()).Id);
    }
}
