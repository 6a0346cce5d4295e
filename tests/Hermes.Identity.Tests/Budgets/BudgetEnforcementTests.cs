using Hermes.Identity.Budgets;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Budgets;

// Budgets enforced: turns refused at BeginTurn/RunTurnAsync, tool calls denied by the engine, tokens refused before the
// model call; each reason names the budget and when it resets; windows roll over on the UTC hour and day.
public class BudgetEnforcementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_guest_runs_into_an_hourly_turn_budget_and_is_told_when_it_resets()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(guestBudgets: "{ turns: { hour: 3 } }"));
        var stranger = BudgetHost.Telegram("9001");
        var ran = 0;
        for (var i = 0; i < 3; i++)
        {
            var admitted = await host.Turns.RunTurnAsync(stranger, _ => { ran++; return Task.CompletedTask; }, Ct);
            Assert.True(admitted.IsAdmitted);
        }

        var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => host.Turns.RunTurnAsync(stranger, _ => { ran++; return Task.CompletedTask; }, Ct));

        Assert.Equal(3, ran);
        Assert.Equal(PolicyEffect.Deny, refused.Decision.Effect);
        Assert.Equal("turn", refused.Action);
        Assert.StartsWith("The hourly budget of turns for guest-telegram-", refused.Decision.Reason, StringComparison.Ordinal);
        Assert.Contains("(role guest) is used up (3 of 3, set by role:guest). It resets at 14:00 UTC.", refused.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(["budget:role:guest/turns/hour"], refused.Decision.RuleIds);
        Assert.False(host.Host.Current.IsInTurn);

        // Another guest has a budget of their own; at 14:00 UTC the first one's starts again.
        await using (host.Begin("9002"))
        {
        }

        host.Time.Advance(TimeSpan.FromMinutes(40));
        await using (host.Begin("9001"))
        {
        }
    }

    [Fact]
    public async Task BeginTurn_refuses_an_exhausted_turn_budget_and_begins_no_turn()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ turns: { day: 1 } }"));
        await using (host.Begin("333"))
        {
        }

        var refused = Assert.Throws<AccessDeniedException>(() => host.Begin("333"));
        Assert.Contains("The daily budget of turns for kai (role trusted) is used up (1 of 1, set by role:trusted). It resets at 00:00 UTC (2026-11-30).", refused.Message, StringComparison.Ordinal);
        Assert.False(host.Host.Current.IsInTurn);

        host.Time.Advance(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero) - host.Time.GetUtcNow());
        await using (host.Begin("333"))
        {
            Assert.True(host.Host.Current.IsInTurn);
        }
    }

    [Fact]
    public async Task Tool_calls_are_counted_per_category_and_the_one_past_the_budget_is_denied_and_not_counted()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tool.web: { hour: 2, day: 3 } }"));
        await using var turn = host.Begin("222");

        Assert.True((await host.CallAsync("web_search")).IsAllowed);
        Assert.True((await host.CallAsync("web_fetch")).IsAllowed); // tool.web counts web.search and web.fetch together
        for (var i = 0; i < 5; i++)
        {
            var denied = await host.CallAsync("web_search");
            Assert.Equal(PolicyEffect.Deny, denied.Effect);
            Assert.Equal("The hourly budget of tool.web tool calls for mei (role trusted) is used up (2 of 2, set by role:trusted). It resets at 14:00 UTC.", denied.Reason);
            Assert.Equal(["budget:role:trusted/tool.web/hour"], denied.RuleIds);
        }

        Assert.True((await host.CallAsync("read_file")).IsAllowed); // no budget on files

        // The denied calls took nothing from the daily budget: one more fits in the next hour, then the day is used up.
        host.Time.Advance(TimeSpan.FromHours(1));
        Assert.True((await host.CallAsync("web_search")).IsAllowed);
        var daily = await host.CallAsync("web_fetch");
        Assert.Equal("The daily budget of tool.web tool calls for mei (role trusted) is used up (3 of 3, set by role:trusted). It resets at 00:00 UTC (2026-11-30).", daily.Reason);
    }

    [Fact]
    public async Task Previews_explanations_and_the_tools_offered_count_nothing()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tool.*: { hour: 1 } }"));
        await using var turn = host.Begin("222");
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await host.Engine.PreviewToolCallAsync("web_search", Ct)).IsAllowed);
            Assert.Equal(["web_search", "read_file"], await host.Engine.GetVisibleToolsAsync(["web_search", "read_file", "terminal"], Ct));
            Assert.True((await host.Engine.ExplainToolCallAsync("web_search", Ct)).Decision.IsAllowed);
        }

        Assert.True((await host.CallAsync("read_file")).IsAllowed);
        Assert.False((await host.CallAsync("web_search")).IsAllowed); // tool.* counts every tool call together
        Assert.False((await host.CallAsync("terminal")).IsAllowed);   // denied by the role: not a budget matter
    }

    [Fact]
    public async Task A_person_s_own_budget_overrides_the_role_s()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ turns: { hour: 1 } }", meiBudgets: "{ turns: { hour: 3 } }"));
        for (var i = 0; i < 3; i++)
        {
            await using (host.Begin("222"))
            {
            }
        }

        var mei = Assert.Throws<AccessDeniedException>(() => host.Begin("222"));
        Assert.Contains("(3 of 3, set by identity:mei)", mei.Decision.Reason, StringComparison.Ordinal);
        Assert.Equal(["budget:identity:mei/turns/hour"], mei.Decision.RuleIds);

        await using (host.Begin("333"))
        {
        }

        Assert.Throws<AccessDeniedException>(() => host.Begin("333")); // kai has the role's 1
        await using (host.Begin("111")) // the owner has no budget
        {
        }
    }

    [Fact]
    public async Task Tokens_are_counted_for_the_turn_s_person_and_the_next_model_call_is_refused_once_they_are_used_up()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tokens: { hour: 1000, day: 5000 } }"));
        await using (host.Begin("222"))
        {
            Assert.True(host.Ledger.CheckModelCall().IsAllowed);
            host.Ledger.RecordTokens(600);
            Assert.True(host.Ledger.CheckModelCall().IsAllowed);
            host.Ledger.RecordTokens(700); // already spent: counted past the limit
            var refused = host.Ledger.CheckModelCall();
            Assert.Equal("The hourly budget of model tokens for mei (role trusted) is used up (1,300 of 1,000, set by role:trusted). It resets at 14:00 UTC.", refused.Reason);
        }

        await using (host.Begin("333"))
        {
            Assert.True(host.Ledger.CheckModelCall().IsAllowed); // kai's own budget
        }

        var usage = await host.Ledger.GetUsageAsync("mei", Ct);
        Assert.Equal(
            ["tokens per hour: 1300/1000, resets at 2026-11-29 14:00:00Z", "tokens per day: 1300/5000, resets at 2026-11-30 00:00:00Z"],
            usage.OrderBy(u => u.Window).Select(u => u.ToString()));
        Assert.Equal(0, usage.Single(u => u.Window == BudgetWindow.Hour).Remaining);

        host.Time.Advance(TimeSpan.FromHours(1));
        await using (host.Begin("222"))
        {
            Assert.True(host.Ledger.CheckModelCall().IsAllowed);
        }
    }

    [Fact]
    public async Task Recording_tokens_outside_a_turn_is_refused()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tokens: { hour: 1000 } }"));
        Assert.Throws<NoActiveTurnException>(() => host.Ledger.RecordTokens(10));
        Assert.Throws<ArgumentOutOfRangeException>(() => host.Ledger.RecordTokens(-1));
        Assert.True(host.Ledger.CheckModelCall().IsAllowed); // outside a turn there is nobody to refuse
    }

    [Fact]
    public async Task A_hundred_concurrent_tool_calls_with_a_limit_of_ten_allow_exactly_ten()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tool.web: { hour: 10 } }"));
        await using var turn = host.Begin("222");
        using var start = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await host.CallAsync("web_search");
        }, Ct)).ToArray();
        start.Set();
        var decisions = await Task.WhenAll(calls);

        Assert.Equal(10, decisions.Count(d => d.IsAllowed));
        Assert.Equal(90, decisions.Count(d => d.Reason.Contains("is used up (10 of 10", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_hundred_concurrent_turns_with_a_limit_of_ten_begin_exactly_ten()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ turns: { hour: 10, day: 50 } }"));
        var mei = BudgetHost.Telegram("222");
        using var start = new ManualResetEventSlim();
        var turns = Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait(Ct);
            try
            {
                await host.Turns.RunTurnAsync(mei, _ => Task.CompletedTask, Ct);
                return true;
            }
            catch (AccessDeniedException)
            {
                return false;
            }
        }, Ct)).ToArray();
        start.Set();

        Assert.Equal(10, (await Task.WhenAll(turns)).Count(began => began));
        var usage = await host.Ledger.GetUsageAsync("mei", Ct);
        Assert.Equal([10L, 10L], usage.OrderBy(u => u.Window).Select(u => u.Used));
    }

    [Fact]
    public async Task A_reload_changes_the_limits_and_keeps_the_counts()
    {
        await using var host = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ turns: { hour: 2 } }"));
        await using (host.Begin("222"))
        {
        }

        await using (host.Begin("222"))
        {
        }

        Assert.Throws<AccessDeniedException>(() => host.Begin("222"));

        var snapshots = host.Host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        var before = snapshots.Current.Revision;
        host.Folder.Write("identities.yaml", BudgetYaml.With(trustedBudgets: "{ turns: { hour: 3 } }"));
        using (var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            hang.CancelAfter(HangGuard.Timeout);
            while (snapshots.Current.Revision == before)
            {
                host.Time.Advance(TimeSpan.FromMilliseconds(100)); // the reload delay runs on the fake clock
                await Task.Delay(10, hang.Token);
            }
        }

        await using (host.Begin("222"))
        {
        }

        Assert.Contains("(3 of 3", Assert.Throws<AccessDeniedException>(() => host.Begin("222")).Decision.Reason, StringComparison.Ordinal);
    }
}
