using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Tests.Approvals;

// A call that needs an approval is stored, answered by a holder of approval.grant in a message of their own, and runs
// exactly once when the requester's conversation asks for it again; over the real SQLite state store.
public sealed class ApprovalsGivenLaterTests
{
    [Fact]
    public async Task A_request_survives_a_restart_is_approved_after_another_and_runs_once_in_the_requesters_next_turn()
    {
        using var root = new TempDirectory("approvals");
        string id;
        await using (var first = ApprovalHost.Create(root.Path))
        {
            var asked = await first.MeiCallsAsync();
            Assert.Equal(PolicyEffect.RequireApproval, asked.Effect);
            id = asked.Approval!.Id;
            Assert.Matches("^[ACDEFGHJKMNPQRTUVWXY23456789]{8}$", id);
            Assert.Equal(("mei", "telegram:chat-mei", "call-1", ApprovalHost.Digest, "tool.exec", "terminal", ApprovalState.Pending),
                (asked.Approval.ProfileKey, asked.Approval.Conversation, asked.Approval.ToolCallId, asked.Approval.ArgumentsDigest, asked.Approval.Action, asked.Approval.Resource, asked.Approval.State));
        }

        await using (var second = ApprovalHost.Create(root.Path))
        {
            var approved = await second.ApproveAsync("111", id.ToLowerInvariant()); // typed from a phone, in another chat
            Assert.True(approved.IsAllowed, approved.Reason);
            Assert.Equal(ApprovalState.Approved, approved.Approval!.State);
        }

        await using var third = ApprovalHost.Create(root.Path);
        var runs = await third.MeiCallsAsync();
        var replay = await third.MeiCallsAsync();

        Assert.Equal(PolicyEffect.Allow, runs.Effect);
        Assert.Contains("louis approved this call", runs.Reason, StringComparison.Ordinal);
        Assert.Contains("approval:" + id, runs.RuleIds);
        Assert.Equal(PolicyEffect.Deny, replay.Effect);
        Assert.Contains("already ran once", replay.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.Deny, (await third.ApproveAsync("111", id)).Effect); // a second approval lets nothing run again
        Assert.Equal(PolicyEffect.Deny, (await third.MeiCallsAsync()).Effect);
    }

    [Fact]
    public async Task Asking_again_for_the_same_call_before_the_answer_finds_the_same_request()
    {
        await using var host = ApprovalHost.Create();
        var first = await host.MeiCallsAsync();
        var again = await host.MeiCallsAsync();

        Assert.Equal(first.Approval!.Id, again.Approval!.Id);
        Assert.Single(await host.As("111", async () => await host.Approvals.ListPendingAsync()));
    }

    [Theory]
    [InlineData("333")] // trusted: no approval.grant
    [InlineData("999")] // an unknown sender admitted as a guest
    public async Task An_approval_from_someone_without_approval_grant_is_refused_and_runs_nothing(string approver)
    {
        await using var host = ApprovalHost.Create();
        var id = (await host.MeiCallsAsync()).Approval!.Id;

        var refused = await host.ApproveAsync(approver, id);

        Assert.Equal(PolicyEffect.Deny, refused.Effect);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.MeiCallsAsync()).Effect);
    }

    [Fact]
    public async Task Nobody_approves_their_own_request_even_holding_approval_grant()
    {
        var yaml = ApprovalHost.Yaml.Replace("    role: operator\n", "    role: operator\n    allow: [approval.grant]\n", StringComparison.Ordinal);
        await using var host = ApprovalHost.Create(yaml: yaml);
        var id = (await host.MeiCallsAsync()).Approval!.Id;

        var own = await host.ApproveAsync("222", id);

        Assert.Equal(PolicyEffect.Deny, own.Effect);
        Assert.Contains("own request", own.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.MeiCallsAsync()).Effect);
    }

    [Fact]
    public async Task An_approver_demoted_before_approving_cannot_approve()
    {
        await using var host = ApprovalHost.Create();
        var id = (await host.MeiCallsAsync()).Approval!.Id;

        host.Snapshots.Swap(host.Parse(ApprovalHost.Yaml.Replace("role: owner", "role: trusted", StringComparison.Ordinal)));
        var refused = await host.ApproveAsync("111", id);

        Assert.Equal(PolicyEffect.Deny, refused.Effect);
        Assert.Contains("approval.grant", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.RequireApproval, (await host.MeiCallsAsync()).Effect);
    }

    [Fact]
    public async Task A_request_not_answered_in_time_expires_and_the_call_is_denied_saying_so()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = ApprovalHost.Create(time: time);
        var asked = await host.MeiCallsAsync();
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromHours(1), asked.Approval!.ExpiresAt); // PolicyOptions.ApprovalRequestLifetime

        time.Advance(TimeSpan.FromHours(1));
        var late = await host.ApproveAsync("111", asked.Approval.Id);
        var call = await host.MeiCallsAsync();

        Assert.Equal(PolicyEffect.Deny, late.Effect);
        Assert.Contains("expired at 2026-06-01 13:00:00Z", late.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.Deny, call.Effect);
        Assert.Contains("expired", call.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_not_used_within_the_approval_lifetime_lets_nothing_run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var host = ApprovalHost.Create(time: time);
        var id = (await host.MeiCallsAsync()).Approval!.Id;
        Assert.True((await host.ApproveAsync("111", id)).IsAllowed);

        time.Advance(TimeSpan.FromMinutes(15)); // PolicyOptions.ApprovalLifetime
        var call = await host.MeiCallsAsync();

        Assert.Equal(PolicyEffect.Deny, call.Effect);
        Assert.Contains("not used before", call.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_denied_request_never_runs_and_the_requester_is_told_who_denied_it()
    {
        await using var host = ApprovalHost.Create();
        var id = (await host.MeiCallsAsync()).Approval!.Id;

        Assert.True((await host.DenyAsync("111", id)).IsAllowed);
        var call = await host.MeiCallsAsync();
        var lateApproval = await host.ApproveAsync("111", id);

        Assert.Equal(PolicyEffect.Deny, call.Effect);
        Assert.Contains("louis denied this call", call.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.Deny, lateApproval.Effect);
        Assert.Equal(PolicyEffect.Deny, (await host.MeiCallsAsync()).Effect);
    }

    [Theory]
    [InlineData("call-2", ApprovalHost.Digest, "chat-mei")]       // another call
    [InlineData("call-1", ApprovalHost.OtherDigest, "chat-mei")]  // the same call id with other arguments
    [InlineData("call-1", ApprovalHost.Digest, "chat-group")]     // the same call from another conversation
    public async Task An_approval_covers_only_its_call_its_arguments_and_its_conversation(string callId, string digest, string chat)
    {
        await using var host = ApprovalHost.Create();
        var id = (await host.MeiCallsAsync()).Approval!.Id;
        Assert.True((await host.ApproveAsync("111", id)).IsAllowed);

        var other = await host.MeiCallsAsync(callId, digest, chat);
        var original = await host.MeiCallsAsync();

        Assert.Equal(PolicyEffect.RequireApproval, other.Effect);
        Assert.NotEqual(id, other.Approval!.Id); // a request of its own
        Assert.Equal(PolicyEffect.Allow, original.Effect); // the other call did not use it up
    }

    [Fact]
    public async Task Another_person_sending_the_same_call_id_and_arguments_gets_nothing_from_the_approval()
    {
        await using var host = ApprovalHost.Create(yaml: ApprovalHost.Yaml.Replace("    role: trusted\n", "    role: operator\n", StringComparison.Ordinal));
        var id = (await host.MeiCallsAsync(chat: "chat-1")).Approval!.Id;
        Assert.True((await host.ApproveAsync("111", id)).IsAllowed);

        var ada = await host.MeiCallsAsync(chat: "chat-1", userId: "333"); // same chat, same call id and digest, another person

        Assert.Equal(PolicyEffect.RequireApproval, ada.Effect);
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync(chat: "chat-1")).Effect);
    }

    [Fact]
    public async Task Previews_explanations_and_calls_without_id_or_digest_store_nothing()
    {
        await using var host = ApprovalHost.Create();
        await host.As("222", async () =>
        {
            Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.PreviewToolCallAsync("terminal")).Effect);
            Assert.Equal(PolicyEffect.RequireApproval, (await host.Engine.ExplainToolCallAsync("terminal")).Decision.Effect);
            var bare = await host.Engine.AuthorizeToolCallAsync("terminal");
            Assert.Null(bare.Approval);
            return 0;
        });

        Assert.Empty(await host.As("111", async () => await host.Approvals.ListPendingAsync()));
    }

    [Fact]
    public async Task Unknown_or_malformed_codes_are_refused_saying_what_a_code_is()
    {
        await using var host = ApprovalHost.Create();

        foreach (var code in new[] { "ABCDEFGH", "short", "0OIL1OIL", string.Empty })
        {
            var refused = await host.ApproveAsync("111", code);
            Assert.Equal(PolicyEffect.Deny, refused.Effect);
            Assert.Contains("No approval request has the code", refused.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_pending_list_shows_every_request_to_an_approver_and_only_their_own_to_a_requester()
    {
        await using var host = ApprovalHost.Create(yaml: ApprovalHost.Yaml.Replace("    role: trusted\n", "    role: operator\n", StringComparison.Ordinal));
        var mei = (await host.MeiCallsAsync()).Approval!;
        var ada = (await host.MeiCallsAsync(userId: "333", chat: "chat-ada")).Approval!;

        var louisSees = await host.As("111", async () => await host.Approvals.ListPendingAsync());
        var meiSees = await host.As("222", async () => await host.Approvals.ListPendingAsync());
        var adaReadsMeis = await host.As("333", async () => await host.Approvals.GetAsync(mei.Id));

        Assert.Equal(new[] { mei.Id, ada.Id }.Order(), louisSees.Select(r => r.Id).Order());
        Assert.Equal([mei.Id], meiSees.Select(r => r.Id));
        Assert.Null(adaReadsMeis);
        Assert.Empty(await host.Approvals.ListPendingAsync()); // outside a turn

        Assert.True((await host.ApproveAsync("111", mei.Id)).IsAllowed);
        Assert.Equal([ada.Id], (await host.As("111", async () => await host.Approvals.ListPendingAsync())).Select(r => r.Id));
    }

    [Fact]
    public async Task A_flood_of_calls_stops_at_twenty_waiting_requests_per_person_and_resumes_once_one_is_answered()
    {
        await using var host = ApprovalHost.Create();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await host.MeiCallsAsync("call-" + i)).Approval!.Id);
        }

        var flooded = await host.MeiCallsAsync("call-20");
        Assert.True((await host.DenyAsync("111", ids[0])).IsAllowed);
        var after = await host.MeiCallsAsync("call-21");

        Assert.Equal(PolicyEffect.Deny, flooded.Effect);
        Assert.Contains("already has 20 approval requests waiting", flooded.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.RequireApproval, after.Effect);
    }

    [Fact]
    public async Task Without_a_state_store_a_call_that_needs_an_approval_says_what_to_register()
    {
        await using var host = PolicyTestHost.Create(ApprovalHost.Yaml);
        await using var turn = host.BeginTurn("222");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.Engine.AuthorizeToolCallAsync("terminal", "call-1", ApprovalHost.Digest, TestContext.Current.CancellationToken));

        Assert.Contains("call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await host.Services.GetRequiredService<Hermes.Identity.Approvals.Approvals>().ListPendingAsync(TestContext.Current.CancellationToken));
    }
}
