using System.Runtime.CompilerServices;
using Hermes.Identity.Budgets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.AI.Tests;

// Token budgets through the M.E.AI adapter: each response's usage (ChatResponse.Usage, or UsageContent when streaming)
// is counted for the turn's person; once their tokens are used up, the next model call in any of their turns is refused
// with AccessDeniedException before it reaches the model. Real pipeline, real SQLite state store.
public sealed class TokenBudgetTests
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          louis: { role: owner, accounts: { telegram: "111" } }
          mei: { role: trusted, accounts: { telegram: "222" }, budgets: { tokens: { hour: 1000, day: 1500 } } }
          kai: { role: trusted, accounts: { telegram: "333" } }
        tools:
          read_file: files.read
        """;

    private static SenderEnvelope Sender(string id) => new("telegram", id, id, ChatKind.Direct, null);

    [Fact]
    public async Task Usage_is_counted_and_the_call_after_the_budget_is_refused_before_the_model()
    {
        var model = new MeteredModel(tokensPerCall: 400);
        await using var host = Create(model, out var time);
        var chat = host.Services.GetRequiredService<IChatClient>();

        for (var i = 0; i < 3; i++)
        {
            await host.InTurnAsync(Sender("222"), async _ => await chat.GetResponseAsync("hello"));
        }

        Assert.Equal(3, model.Calls); // 1,200 tokens: past the hourly 1,000 by the last call, which was already made
        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => host.InTurnAsync(Sender("222"), async _ => await chat.GetResponseAsync("hello")));
        Assert.Equal(3, model.Calls);
        Assert.Equal("model.call", refused.Action);
        Assert.Equal("The hourly budget of model tokens for mei (role trusted) is used up (1,200 of 1,000, set by identity:mei). It resets at 14:00 UTC.", refused.Decision.Reason);

        // Kai has no budget; Mei gets her next hour, until her day is used up.
        await host.InTurnAsync(Sender("333"), async _ => await chat.GetResponseAsync("hello"));
        time.Advance(TimeSpan.FromHours(1));
        await host.InTurnAsync(Sender("222"), async _ => await chat.GetResponseAsync("hello"));
        var daily = await Assert.ThrowsAsync<AccessDeniedException>(() => host.InTurnAsync(Sender("222"), async _ => await chat.GetResponseAsync("hello")));
        Assert.Contains("daily budget of model tokens", daily.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(5, model.Calls);

        var usage = await host.Services.GetRequiredService<BudgetLedger>().GetUsageAsync("mei");
        Assert.Equal(1600, usage.Single(u => u.Window == BudgetWindow.Day).Used);
    }

    [Fact]
    public async Task Streamed_usage_is_counted_and_a_stream_is_refused_before_the_model()
    {
        var model = new MeteredModel(tokensPerCall: 600);
        await using var host = Create(model, out _);
        var chat = host.Services.GetRequiredService<IChatClient>();

        for (var i = 0; i < 2; i++)
        {
            await host.InTurnAsync(Sender("222"), async _ =>
            {
                await foreach (var update in chat.GetStreamingResponseAsync("hello"))
                {
                }

                return 0;
            });
        }

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => host.InTurnAsync(Sender("222"), async _ =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync("hello"))
            {
            }

            return 0;
        }));
        Assert.Contains("(1,200 of 1,000", refused.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(2, model.Calls);
    }

    private static HermesHost Create(IChatClient model, out FakeTimeProvider time)
    {
        var clock = time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 13, 20, 0, TimeSpan.Zero));
        return new HermesHost(
            Yaml,
            configure: services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddChatClient(model).UseHermesIsolation().UseFunctionInvocation();
            },
            isolation: isolation => isolation.AddSqliteState());
    }

    // A model that answers every call with one line of text and reports a fixed token usage, and counts the calls.
    private sealed class MeteredModel(long tokensPerCall) : IChatClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { TotalTokenCount = tokensPerCall } });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = tokensPerCall / 2, OutputTokenCount = tokensPerCall / 2 })]);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
