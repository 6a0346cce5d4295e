using Hermes.Identity.Budgets;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Tests.Budgets;

// Counts live in the real SQLite state store under the data root: they survive a restart, two hosts on one store add
// up, a configuration with budgets needs a store at start-up.
public class BudgetPersistenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Budgets = "{ turns: { hour: 3 }, tool.web: { day: 4 }, tokens: { day: 1000 } }";

    [Fact]
    public async Task A_restart_keeps_the_counts()
    {
        await using var first = BudgetHost.Create(BudgetYaml.With(trustedBudgets: Budgets));
        await using (first.Begin("222"))
        {
            Assert.True((await first.CallAsync("web_search")).IsAllowed);
            Assert.True((await first.CallAsync("web_search")).IsAllowed);
            first.Ledger.RecordTokens(400);
        }

        await using (first.Begin("222"))
        {
        }

        await first.Host.Services.DisposeAsync(); // the host stops: its counts are written

        await using var second = BudgetHost.OnSameRoot(first);
        await using (second.Begin("222"))
        {
            Assert.True((await second.CallAsync("web_fetch")).IsAllowed);
            Assert.True((await second.CallAsync("web_fetch")).IsAllowed);
            Assert.Contains("(4 of 4", (await second.CallAsync("web_fetch")).Reason, StringComparison.Ordinal);
        }

        Assert.Contains("(3 of 3", Assert.Throws<AccessDeniedException>(() => second.Begin("222")).Decision.Reason, StringComparison.Ordinal);
        var usage = await second.Ledger.GetUsageAsync("mei", Ct);
        Assert.Equal(400, usage.Single(u => u.Counter == "tokens").Used);
    }

    [Fact]
    public async Task Counts_are_written_by_the_timer_every_second()
    {
        await using var first = BudgetHost.Create(BudgetYaml.With(trustedBudgets: Budgets));
        await using (first.Begin("222"))
        {
            first.Ledger.RecordTokens(250);
        }

        var store = first.Host.Services.GetRequiredService<IIdentityStateStore>();
        Assert.Null(await store.GetAsync("budget", "mei", Ct)); // loaded, counted, not yet written

        first.Time.Advance(BudgetLedger.FlushInterval);
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hang.CancelAfter(HangGuard.Timeout);
        StateRecord? record;
        while ((record = await store.GetAsync("budget", "mei", hang.Token)) is null)
        {
            await Task.Delay(10, hang.Token); // the timer's flush runs on the thread pool
        }

        Assert.Contains("\"tokens/d\":[", record.Data, StringComparison.Ordinal);
        Assert.Contains(",250]", record.Data, StringComparison.Ordinal);
        Assert.Contains("\"turns/h\":[", record.Data, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), record.ExpiresAt);
    }

    [Fact]
    public async Task Two_hosts_on_one_store_add_up_their_counts()
    {
        await using var a = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tool.web: { hour: 5 } }"));
        await using var b = BudgetHost.OnSameRoot(a);
        await using (a.Begin("222"))
        {
            Assert.True((await a.CallAsync("web_search")).IsAllowed);
            Assert.True((await a.CallAsync("web_search")).IsAllowed);
        }

        await a.Ledger.FlushAsync(Ct);
        await using (b.Begin("222"))
        {
            Assert.True((await b.CallAsync("web_search")).IsAllowed);
            Assert.True((await b.CallAsync("web_search")).IsAllowed);
        }

        await b.Ledger.FlushAsync(Ct);
        await a.Ledger.FlushAsync(Ct); // a takes in b's two

        await using (a.Begin("222"))
        {
            Assert.True((await a.CallAsync("web_search")).IsAllowed);
            Assert.Contains("(5 of 5", (await a.CallAsync("web_search")).Reason, StringComparison.Ordinal);
        }

        await a.Ledger.FlushAsync(Ct);
        await b.Ledger.FlushAsync(Ct);
        Assert.Equal(5, (await b.Ledger.GetUsageAsync("mei", Ct)).Single().Used);
        Assert.Equal(5, (await a.Ledger.GetUsageAsync("mei", Ct)).Single().Used);
    }

    [Fact]
    public async Task Two_hosts_racing_on_one_store_lose_no_count()
    {
        await using var a = BudgetHost.Create(BudgetYaml.With(trustedBudgets: "{ tool.web: { day: 1000 } }"));
        await using var b = BudgetHost.OnSameRoot(a);
        async Task CallAndFlushAsync(BudgetHost host)
        {
            for (var round = 0; round < 10; round++)
            {
                await using (host.Begin("222"))
                {
                    for (var i = 0; i < 5; i++)
                    {
                        Assert.True((await host.CallAsync("web_search")).IsAllowed);
                    }
                }

                await host.Ledger.FlushAsync(Ct);
            }
        }

        await Task.WhenAll(Task.Run(() => CallAndFlushAsync(a), Ct), Task.Run(() => CallAndFlushAsync(b), Ct));
        await a.Ledger.FlushAsync(Ct);

        await using var reader = BudgetHost.OnSameRoot(a);
        Assert.Equal(100, (await reader.Ledger.GetUsageAsync("mei", Ct)).Single().Used);
    }

    [Fact]
    public async Task Budgets_without_a_state_store_fail_the_start_and_say_what_to_call()
    {
        using var dir = new TempDirectory("budgets");
        dir.Write("identities.yaml", BudgetYaml.With(guestBudgets: "{ turns: { hour: 20 } }"));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dir.Path });
        builder.Services.AddHermesIsolation(o => o.Root = dir.Path);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_budgets_no_state_store_is_needed()
    {
        await using var host = new HermesHost(BudgetYaml.With());
        await using var turn = host.Begin("telegram", "222");
        Assert.True((await host.Services.GetRequiredService<Hermes.Identity.Policy.PolicyEngine>().AuthorizeToolCallAsync("web_search", cancellationToken: Ct)).IsAllowed);
        Assert.True(host.Services.GetRequiredService<BudgetLedger>().CheckModelCall().IsAllowed);
    }
}
