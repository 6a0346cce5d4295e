using Hermes.Identity.Policy;

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
