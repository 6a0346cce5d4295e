using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Policy;

// An approval is granted only by a holder of approval.grant, and is good once, for exactly the turn,
// tool call id and arguments digest it was asked for.
public sealed class ApprovalTests
{
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: operator
            accounts: { telegram: "222" }
          ada:
            role: trusted
            accounts: { telegram: "333" }
        roles:
          operator:
            inherits: trusted
            allow: [tool.exec]
            require_approval: [tool.exec]
        tools:
          terminal: exec
          read_file: files.read
        """;

    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string OtherDigest = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_approval_from_a_holder_of_approval_grant_lets_that_one_call_through_once()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var pending = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);
        Assert.Equal(PolicyEffect.RequireApproval, pending.Effect);
        Assert.NotNull(pending.Approval);

        var grant = await GrantAsAsync(host, "111", pending.Approval);
        var approved = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);
        var again = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);

        Assert.True(grant.IsAllowed, grant.Reason);
        Assert.Equal(PolicyEffect.Allow, approved.Effect);
        Assert.Contains("louis approved", approved.Reason, StringComparison.Ordinal);
        Assert.Contains("approval:louis", approved.RuleIds);
        Assert.Equal(PolicyEffect.RequireApproval, again.Effect);
    }

    [Theory]
    [InlineData("333")] // trusted: no approval.grant
    [InlineData("222")] // the requester, who does not hold approval.grant either
    [InlineData("999")] // an unknown sender admitted as a guest
    public async Task An_approval_from_someone_without_approval_grant_is_refused(string approverId)
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var pending = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);

        var grant = await GrantAsAsync(host, approverId, pending.Approval!);
        var after = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);

        Assert.Equal(PolicyEffect.Deny, grant.Effect);
        Assert.Equal(PolicyEffect.RequireApproval, after.Effect);
    }

    [Fact]
    public async Task An_approval_cannot_be_granted_outside_a_turn()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        ApprovalRequest request;
        await using (host.BeginTurn("222"))
        {
            request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
        }

        Assert.Equal(PolicyEffect.Deny, (await host.Engine.GrantApprovalAsync(request, Ct)).Effect);
    }

    [Theory]
    [InlineData("call-2", Digest)]      // another call
    [InlineData("call-1", OtherDigest)] // the same call id with other arguments
    public async Task An_approval_replayed_for_another_call_or_other_arguments_is_refused(string callId, string digest)
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var pending = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);
        Assert.True((await GrantAsAsync(host, "111", pending.Approval!)).IsAllowed);

        var replay = await host.Engine.AuthorizeToolCallAsync("terminal", callId, digest, Ct);
        var original = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);

        Assert.Equal(PolicyEffect.RequireApproval, replay.Effect);
        Assert.Equal(PolicyEffect.Allow, original.Effect); // the failed replay did not use it up
    }

    [Fact]
    public async Task An_approval_is_bound_to_the_turn_it_was_asked_in()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        ApprovalRequest request;
        await using (host.BeginTurn("222"))
        {
            request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
            Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);
        }

        await using var next = host.BeginTurn("222");
        Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
    }

    [Fact]
    public async Task A_call_without_id_or_digest_cannot_be_approved()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");

        var decision = await host.Engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.RequireApproval, decision.Effect);
        Assert.Null(decision.Approval);
        Assert.False(decision.IsAllowed);
    }

    [Fact]
    public async Task An_approval_never_lifts_a_deny()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var pending = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);
        Assert.True((await GrantAsAsync(host, "111", pending.Approval!)).IsAllowed);

        host.Snapshots.Swap(host.Parse(Yaml.Replace("role: operator", "role: trusted", StringComparison.Ordinal)));

        Assert.Equal(PolicyEffect.Deny, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
    }

    [Fact]
    public async Task Granting_a_request_again_after_its_call_ran_is_refused_and_the_call_does_not_run_again()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
        Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);
        Assert.Equal(PolicyEffect.Allow, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect); // it runs

        var second = await GrantAsAsync(host, "111", request);
        var again = await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct);

        Assert.Equal(PolicyEffect.Deny, second.Effect);
        Assert.Contains("already used", second.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.RequireApproval, again.Effect);

        // The same call asked for again in the same turn is the same key: a fresh request for it is refused too.
        Assert.NotNull(again.Approval);
        Assert.Equal(PolicyEffect.Deny, (await GrantAsAsync(host, "111", again.Approval)).Effect);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
    }

    [Fact]
    public async Task Granting_a_request_twice_before_its_call_runs_still_lets_it_run_once()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        await using var turn = host.BeginTurn("222");
        var request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;

        Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);
        Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);

        Assert.Equal(PolicyEffect.Allow, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
    }

    [Fact]
    public async Task A_request_expires_one_approval_lifetime_after_it_was_asked_and_is_then_refused_with_that_reason()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = CreateWithClock(time);
        await using var turn = host.BeginTurn("222");
        var request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(15), request.ExpiresAt);

        time.Advance(TimeSpan.FromMinutes(15));
        var grant = await GrantAsAsync(host, "111", request);

        Assert.Equal(PolicyEffect.Deny, grant.Effect);
        Assert.Contains("expired at 2025-06-01 12:15:00Z", grant.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
    }

    [Fact]
    public async Task A_used_request_stays_refused_after_its_approval_would_have_expired()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = CreateWithClock(time);
        await using var turn = host.BeginTurn("222");
        var request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
        time.Advance(TimeSpan.FromMinutes(14));
        Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);
        Assert.Equal(PolicyEffect.Allow, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);

        foreach (var minutes in new[] { 1, 13, 1, 60 }) // inside the grant's lifetime, at its end, and long after
        {
            time.Advance(TimeSpan.FromMinutes(minutes));
            var grant = await GrantAsAsync(host, "111", request);
            Assert.Equal(PolicyEffect.Deny, grant.Effect);
            Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
        }
    }

    [Fact]
    public async Task A_granted_approval_that_is_not_used_in_time_lets_nothing_run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = CreateWithClock(time);
        await using var turn = host.BeginTurn("222");
        var request = (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Approval!;
        Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);

        time.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", Digest, Ct)).Effect);
        Assert.Contains("expired", (await GrantAsAsync(host, "111", request)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grants_racing_the_call_let_it_run_at_most_once()
    {
        await using var host = PolicyTestHost.Create(Yaml);
        for (var round = 0; round < 20; round++)
        {
            await using var turn = host.BeginTurn("222");
            var callId = "call-" + round;
            var request = (await host.Engine.AuthorizeToolCallAsync("terminal", callId, Digest, Ct)).Approval!;
            Assert.True((await GrantAsAsync(host, "111", request)).IsAllowed);

            var grants = Enumerable.Range(0, 4).Select(_ => GrantAsAsync(host, "111", request));
            var calls = Enumerable.Range(0, 4).Select(_ => Task.Run(async () => await host.Engine.AuthorizeToolCallAsync("terminal", callId, Digest, Ct), Ct));
            await Task.WhenAll(grants);
            var decisions = await Task.WhenAll(calls);
            var later = await host.Engine.AuthorizeToolCallAsync("terminal", callId, Digest, Ct);

            Assert.Single(decisions, d => d.Effect == PolicyEffect.Allow);
            Assert.Equal(PolicyEffect.RequireApproval, later.Effect);
        }
    }

    [Fact]
    public void The_ledger_is_bounded_used_entries_included_and_makes_room_as_they_expire()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var ledger = new ApprovalLedger(time, TimeSpan.FromMinutes(15));
        ApprovalRequest Request(int i) => ledger.Issue("mei", "turn-1", "call-" + i, Digest, "tool.exec", "terminal");
        for (var i = 0; i < ApprovalLedger.Capacity; i++)
        {
            Assert.Equal(ApprovalLedger.GrantOutcome.Granted, ledger.Grant(Request(i), "louis"));
            Assert.True(ledger.TryConsume(Request(i).Key, out _));
        }

        Assert.True(ledger.IsEmpty); // nothing waits to be used ...
        Assert.Equal(ApprovalLedger.GrantOutcome.Full, ledger.Grant(Request(-1), "louis")); // ... but every used one is remembered
        Assert.Equal(ApprovalLedger.GrantOutcome.AlreadyUsed, ledger.Grant(Request(0), "louis"));

        time.Advance(TimeSpan.FromMinutes(15));
        var fresh = Request(-1);
        Assert.Equal(ApprovalLedger.GrantOutcome.Granted, ledger.Grant(fresh, "louis"));
        Assert.False(ledger.IsEmpty);
        Assert.True(ledger.TryConsume(fresh.Key, out var approver));
        Assert.Equal("louis", approver);
    }

    private static PolicyTestHost CreateWithClock(TimeProvider time) =>
        PolicyTestHost.Create(Yaml, b => b.Services.AddSingleton(time));

    // The approver acts in a turn of their own, on a flow that does not carry the requester's turn.
    private static async Task<PolicyDecision> GrantAsAsync(PolicyTestHost host, string approverId, ApprovalRequest request)
    {
        Task<PolicyDecision> grant;
        using (ExecutionContext.SuppressFlow())
        {
            grant = Task.Run(async () =>
            {
                await using var turn = host.BeginTurn(approverId);
                return await host.Engine.GrantApprovalAsync(request, Ct);
            });
        }

        return await grant;
    }
}
