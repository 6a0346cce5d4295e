using Hermes.Identity.Memory;
using Hermes.Identity.Prompt;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Profiles;

// A block written for the same person, envelope and memory as the last one on the thread is copied with the new turn's
// nonce instead of written again. Whatever changes, the block must be exactly the one written from scratch: each
// sender below differs from the one before in one thing the block shows, and each is rendered twice in a row (the
// second time from the kept block), then compared with the same turn's block written with nothing kept.
public sealed class IdentityBlockReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Orders => ["forward", "backward"];

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task A_kept_block_is_only_ever_used_for_the_same_person_envelope_and_memory(string order)
    {
        await using var host = new HermesHost();
        SenderEnvelope[] senders =
        [
            new("telegram", "111", "c1", ChatKind.Direct, "Louis T"),
            new("telegram", "111", "c1", ChatKind.Direct, "Louis T."),                       // display name
            new("telegram", "111", "c1", ChatKind.Group, "Louis T."),                        // chat kind
            new("telegram", "111", "c1", ChatKind.Group, "Louis T.") { SenderKind = SenderKind.Bot }, // sender kind
            new("discord", "184021551188", "c1", ChatKind.Group, "Louis T."),                // the same person's other account
            new("telegram", "222", "c1", ChatKind.Group, "Louis T."),                        // another person
            new("telegram", "999", "c1", ChatKind.Group, "Louis T."),                        // a guest
        ];
        if (order == "backward")
        {
            Array.Reverse(senders);
        }

        var blocks = new List<string>();
        foreach (var sender in senders)
        {
            var first = await RenderAsync(host, sender);
            var second = await RenderAsync(host, sender); // from the kept block
            Assert.Equal(first.Block.Replace(first.Nonce, "N", StringComparison.Ordinal), second.Block.Replace(second.Nonce, "N", StringComparison.Ordinal));
            Assert.Equal(Written(second.Turn, second.Memory), second.Block);
            Assert.DoesNotContain(first.Nonce, second.Block, StringComparison.Ordinal);
            blocks.Add(second.Block.Replace(second.Nonce, "N", StringComparison.Ordinal));
        }

        Assert.Equal(blocks.Count, blocks.Distinct().Count()); // each change showed in the block
    }

    [Fact]
    public async Task A_memory_change_is_never_hidden_by_a_kept_block()
    {
        await using var host = new HermesHost();
        var mei = new SenderEnvelope("telegram", "222", "c1", ChatKind.Direct, "Mei");
        await RenderAsync(host, mei);
        var again = await RenderAsync(host, mei); // from the kept block
        Assert.Equal(Written(again.Turn, again.Memory), again.Block);

        await host.InTurnAsync(mei, turn => turn.Services.GetRequiredService<IMemoryStore>().AddAsync(MemoryFile.Notes, "likes tea", Ct), Ct);
        var after = await RenderAsync(host, mei);
        Assert.Contains("likes tea", after.Block, StringComparison.Ordinal);
        Assert.Equal(Written(after.Turn, after.Memory), after.Block);
    }

    // The block as RenderAsync gives it, with the turn it was written for and the memory it holds.
    private static async Task<(string Block, string Nonce, TurnContext Turn, MemorySnapshot? Memory)> RenderAsync(HermesHost host, SenderEnvelope sender)
    {
        var resolution = await host.Resolver.ResolveAsync(sender, Ct);
        await using var turn = host.Turns.BeginTurn(resolution);
        var block = await host.Services.GetRequiredService<IdentityPrompt>().RenderAsync(Ct);
        var memory = await turn.Services.GetRequiredService<IMemoryStore>().ReadAsync(Ct);
        return (block, turn.Context.Nonce, turn.Context, memory);
    }

    // The same block written from scratch, on a thread that has kept none.
    private static string Written(TurnContext turn, MemorySnapshot? memory)
    {
        string? block = null;
        var thread = new Thread(() => block = IdentityPrompt.Render(turn, memory));
        thread.Start();
        thread.Join();
        return block!;
    }
}
