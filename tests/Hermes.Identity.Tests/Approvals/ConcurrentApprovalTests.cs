using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Approvals;

// Two processes sharing the store (two containers over the same data root, each with its own SQLite connections):
// of two approvers at once one wins, and of any number of calls at once one runs.
public sealed class ConcurrentApprovalTests
{
    [Fact]
    public async Task Two_approvers_in_two_processes_at_once_one_wins()
    {
        using var root = new TempDirectory("approvals");
        var yaml = ApprovalHost.Yaml.Replace("identities:\n", "identities:\n  zoe:\n    role: owner\n    accounts: { telegram: \"444\" }\n", StringComparison.Ordinal);
        await using var a = ApprovalHost.Create(root.Path, yaml);
        await using var b = ApprovalHost.Create(root.Path, yaml);
        for (var round = 0; round < 10; round++)
        {
            var id = (await a.MeiCallsAsync("call-" + round)).Approval!.Id;

            var answers = await Task.WhenAll(a.ApproveAsync("111", id), b.ApproveAsync("444", id), a.ApproveAsync("444", id), b.ApproveAsync("111", id));

            var winner = Assert.Single(answers, d => d.IsAllowed);
            Assert.All(answers.Where(d => !d.IsAllowed), d => Assert.Contains("already given by " + winner.Approval!.AnsweredBy, d.Reason, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Calls_racing_in_two_processes_after_the_approval_run_once()
    {
        using var root = new TempDirectory("approvals");
        await using var a = ApprovalHost.Create(root.Path);
        await using var b = ApprovalHost.Create(root.Path);
        for (var round = 0; round < 10; round++)
        {
            var callId = "call-" + round;
            var id = (await a.MeiCallsAsync(callId)).Approval!.Id;
            Assert.True((await b.ApproveAsync("111", id)).IsAllowed);

            var calls = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).MeiCallsAsync(callId));
            var approvals = Enumerable.Range(0, 2).Select(i => (i % 2 == 0 ? a : b).ApproveAsync("111", id)); // a second approval racing the run
            var decisions = await Task.WhenAll(calls);
            await Task.WhenAll(approvals);

            Assert.Single(decisions, d => d.IsAllowed);
            Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Equal(PolicyEffect.Deny, d.Effect));
            Assert.Equal(PolicyEffect.Deny, (await a.MeiCallsAsync(callId)).Effect);
        }
    }
}
