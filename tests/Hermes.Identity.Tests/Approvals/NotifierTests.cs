using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Approvals;

// The host is told when an approval is needed and whom to ask; a failing notifier never changes a decision.
public sealed class NotifierTests
{
    [Fact]
    public async Task The_notifier_gets_the_stored_request_and_the_holders_of_approval_grant_but_never_the_requester()
    {
        var yaml = ApprovalHost.Yaml.Replace("    role: operator\n", "    role: operator\n    allow: [approval.grant]\n", StringComparison.Ordinal)
            .Replace("identities:\n", "identities:\n  zoe:\n    role: owner\n    accounts: { discord: \"9\" }\n", StringComparison.Ordinal);
        var notifier = new RecordingNotifier();
        await using var host = ApprovalHost.Create(yaml: yaml, services: s => s.AddSingleton<IApprovalNotifier>(notifier));

        var asked = await host.MeiCallsAsync();
        await host.MeiCallsAsync(); // the same call again: the same request, no second message

        var (request, approvers) = Assert.Single(notifier.Calls);
        Assert.Equal(asked.Approval!.Id, request.Id);
        Assert.Equal(ApprovalState.Pending, request.State);
        Assert.Equal(["louis", "zoe"], approvers.Select(p => p.Key)); // mei holds approval.grant too, but it is her request; ada does not
        Assert.NotNull(await host.As("111", async () => await host.Approvals.GetAsync(request.Id))); // stored before the host was told
    }

    [Fact]
    public async Task A_notifier_that_throws_is_logged_and_the_request_stands()
    {
        var after = new RecordingNotifier();
        await using var host = ApprovalHost.Create(services: s =>
        {
            s.AddSingleton<IApprovalNotifier>(new ThrowingNotifier());
            s.AddSingleton<IApprovalNotifier>(after);
        });

        var asked = await host.MeiCallsAsync();

        Assert.Equal(PolicyEffect.RequireApproval, asked.Effect);
        Assert.Single(after.Calls); // the next notifier is still told
        Assert.True((await host.ApproveAsync("111", asked.Approval!.Id)).IsAllowed);
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync()).Effect);
    }

    private sealed class RecordingNotifier : IApprovalNotifier
    {
        public List<(ApprovalRequest Request, IReadOnlyList<AgentProfile> Approvers)> Calls { get; } = [];

        public ValueTask NotifyAsync(ApprovalRequest request, IReadOnlyList<AgentProfile> approvers, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add((request, approvers));
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class ThrowingNotifier : IApprovalNotifier
    {
        public ValueTask NotifyAsync(ApprovalRequest request, IReadOnlyList<AgentProfile> approvers, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the chat platform is down");
    }
}
