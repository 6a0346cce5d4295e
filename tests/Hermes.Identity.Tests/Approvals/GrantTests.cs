using Hermes.Identity.Policy;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Approvals;

// "Mei may use tool.exec 3 times in the next hour": grants limited in time and uses, over the real SQLite store.
public sealed class GrantTests
{
    // Mei is trusted here: the built-in role has no allow for tool.exec (and no deny), so her calls are denied by default.
    private static readonly string Yaml = ApprovalHost.Yaml.Replace("    role: operator\n", "    role: trusted\n", StringComparison.Ordinal);

    [Fact]
    public async Task Mei_may_use_tool_exec_three_times_in_the_next_hour_and_explain_shows_the_uses_left()
    {
        await using var host = ApprovalHost.Create(yaml: Yaml);
        Assert.Equal(PolicyEffect.Deny, (await host.MeiCallsAsync("before")).Effect);

        var grant = await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 3, TimeSpan.FromHours(1)));
        var explained = await host.As("222", async () => await host.Engine.ExplainToolCallAsync("terminal"));
        var visible = await host.As("222", async () => await host.Engine.GetVisibleToolsAsync(["terminal", "read_file"]));
        var decisions = new List<PolicyDecision>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add(await host.MeiCallsAsync("call-" + i));
        }

        Assert.Equal((3, 3, "louis", "tool.exec"), (grant.Uses, grant.UsesLeft, grant.IssuedBy, grant.ActionPattern));
        Assert.Equal(PolicyEffect.Allow, explained.Decision.Effect);
        Assert.Contains($"grant {grant.Id} from louis: 3 of 3 uses left", explained.ToString(), StringComparison.Ordinal);
        Assert.Contains("terminal", visible); // offered while the grant lasts
        Assert.Equal([PolicyEffect.Allow, PolicyEffect.Allow, PolicyEffect.Allow, PolicyEffect.Deny], decisions.Select(d => d.Effect));
        Assert.All(decisions.Take(3), d => Assert.Contains("grant:" + grant.Id, d.RuleIds));
        Assert.Contains("0 of 3 uses left", decisions[2].Reason, StringComparison.Ordinal);
        Assert.StartsWith("No rule allows role trusted to tool.exec", decisions[3].Reason, StringComparison.Ordinal); // used up: the roles' answer again
        Assert.Empty(await host.As("111", async () => await host.Grants.ListAsync()));
    }

    [Fact]
    public async Task A_grant_is_used_exactly_as_many_times_as_it_allows_under_100_concurrent_calls_from_two_processes()
    {
        using var root = new TempDirectory("grants");
        await using var a = ApprovalHost.Create(root.Path, Yaml);
        await using var b = ApprovalHost.Create(root.Path, Yaml);
        await a.As("111", async () => await a.Grants.IssueAsync("mei", "tool.exec", 7, TimeSpan.FromHours(1)));

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? a : b).MeiCallsAsync("call-" + i)));

        Assert.Equal(7, decisions.Count(d => d.IsAllowed));
        Assert.Equal(93, decisions.Count(d => d.Effect == PolicyEffect.Deny));
    }

    [Fact]
    public async Task A_grant_expires_after_its_lifetime_with_uses_left()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = ApprovalHost.Create(yaml: Yaml, time: time);
        await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 3, TimeSpan.FromHours(1)));
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync("call-1")).Effect);

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(PolicyEffect.Deny, (await host.MeiCallsAsync("call-2")).Effect);
        Assert.Empty(await host.As("222", async () => await host.Grants.ListAsync()));
    }

    [Fact]
    public async Task An_explicit_deny_beats_a_grant()
    {
        var yaml = Yaml.Replace("    role: trusted\n", "    role: trusted\n    deny: [tool.exec]\n", StringComparison.Ordinal);
        await using var host = ApprovalHost.Create(yaml: yaml);
        await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 3, TimeSpan.FromHours(1)));

        var call = await host.MeiCallsAsync();
        var explained = await host.As("222", async () => await host.Engine.ExplainToolCallAsync("terminal"));

        Assert.Equal(PolicyEffect.Deny, call.Effect);
        Assert.Contains("explicit deny", explained.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grant_turns_a_call_that_needs_an_approval_into_an_allow_without_asking_anyone()
    {
        await using var host = ApprovalHost.Create(); // mei: operator, tool.exec needs an approval
        await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.*", 1, TimeSpan.FromMinutes(10)));

        var first = await host.MeiCallsAsync("call-1");
        var second = await host.MeiCallsAsync("call-2");

        Assert.Equal(PolicyEffect.Allow, first.Effect);
        Assert.Null(first.Approval);
        Assert.Equal(PolicyEffect.RequireApproval, second.Effect); // used up: back to asking
        Assert.NotNull(second.Approval);
    }

    [Fact]
    public async Task Only_a_holder_of_approval_grant_issues_and_only_what_they_hold_themselves()
    {
        var yaml = Yaml.Replace("identities:\n", "identities:\n  tom:\n    role: trusted\n    allow: [approval.grant]\n    accounts: { telegram: \"555\" }\n", StringComparison.Ordinal);
        await using var host = ApprovalHost.Create(yaml: yaml);

        await Assert.ThrowsAsync<AccessDeniedException>(() => host.As("333", async () => await host.Grants.IssueAsync("mei", "tool.exec", 1, TimeSpan.FromHours(1)))); // ada: no approval.grant
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.As("555", async () => await host.Grants.IssueAsync("mei", "tool.exec", 1, TimeSpan.FromHours(1)))); // tom: approval.grant, but no exec
        await Assert.ThrowsAsync<AccessDeniedException>(async () => await host.Grants.IssueAsync("mei", "tool.exec", 1, TimeSpan.FromHours(1))); // outside a turn
        await Assert.ThrowsAsync<ArgumentException>(() => host.As("111", async () => await host.Grants.IssueAsync("mei", "*", 1, TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ArgumentException>(() => host.As("111", async () => await host.Grants.IssueAsync("mei", "approval.*", 1, TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ArgumentException>(() => host.As("111", async () => await host.Grants.IssueAsync("nobody", "tool.exec", 1, TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 0, TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 1, TimeSpan.FromDays(31))));

        Assert.Equal(PolicyEffect.Deny, (await host.MeiCallsAsync()).Effect);
    }

    [Fact]
    public async Task A_grant_stops_working_when_its_issuer_is_demoted_and_when_it_is_revoked()
    {
        await using var host = ApprovalHost.Create(yaml: Yaml);
        var grant = await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 5, TimeSpan.FromHours(1)));
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync("call-1")).Effect);

        var original = host.Snapshots.Current;
        host.Snapshots.Swap(host.Parse(Yaml.Replace("role: owner", "role: trusted", StringComparison.Ordinal)));
        var whileDemoted = await host.MeiCallsAsync("call-2");
        var explainedWhileDemoted = await host.As("222", async () => await host.Engine.ExplainToolCallAsync("terminal"));
        host.Snapshots.Swap(original);
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync("call-3")).Effect);

        Assert.True(await host.As("111", async () => await host.Grants.RevokeAsync(grant.Id)));
        var afterRevoke = await host.MeiCallsAsync("call-4");

        Assert.Equal(PolicyEffect.Deny, whileDemoted.Effect);
        Assert.Contains($"grant {grant.Id} cannot be used: its issuer louis no longer holds approval.grant", explainedWhileDemoted.ToString(), StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.Deny, afterRevoke.Effect);
    }

    [Fact]
    public async Task A_grant_issued_in_one_process_is_used_in_another_and_survives_a_restart()
    {
        using var root = new TempDirectory("grants");
        await using (var a = ApprovalHost.Create(root.Path, Yaml))
        {
            await a.As("111", async () => await a.Grants.IssueAsync("mei", "tool.exec", 2, TimeSpan.FromHours(1)));
            Assert.Equal(PolicyEffect.Allow, (await a.MeiCallsAsync("call-1")).Effect);
        }

        await using var b = ApprovalHost.Create(root.Path, Yaml);
        Assert.Equal(PolicyEffect.Allow, (await b.MeiCallsAsync("call-2")).Effect);
        Assert.Equal(PolicyEffect.Deny, (await b.MeiCallsAsync("call-3")).Effect);
    }
}
