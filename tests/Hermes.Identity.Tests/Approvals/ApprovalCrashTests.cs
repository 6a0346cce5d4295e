using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Approvals;

// Real child processes over the same data root: a process killed (SIGKILL) while it uses approvals up, and two
// processes approving the same requests at once.
public sealed class ApprovalCrashTests
{
    private const string Worker = "Hermes.Identity.ApprovalWorker";

    [Fact]
    public async Task A_process_killed_while_it_runs_approved_calls_leaves_each_call_run_once_or_not_at_all_never_twice()
    {
        using var root = new TempDirectory("approvals");
        root.Write("identities.yaml", ApprovalHost.Yaml);
        var callIds = Enumerable.Range(0, 100).Select(i => "call-" + i).ToArray();
        await using (var host = ApprovalHost.Create(root.Path))
        {
            foreach (var callId in callIds)
            {
                var id = (await host.MeiCallsAsync(callId)).Approval!.Id;
                Assert.True((await host.ApproveAsync("111", id)).IsAllowed);
            }
        }

        using (var child = ChildProcess.Start(Worker, ["run", root.Path, ApprovalHost.Digest, .. callIds]))
        {
            await child.WaitForLineAsync(l => l == "ready", TestContext.Current.CancellationToken);
            child.SendLine("go");
            await child.WaitForLineAsync(l => l == "ran call-5", TestContext.Current.CancellationToken);
            child.Kill(); // somewhere in the calls after the sixth: mid-read, mid-commit or mid-run
            await child.WaitForExitAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        // The restarted host resumes Mei's conversation and asks for every call again.
        var ranBefore = File.Exists(root.Combine("runs.log")) ? File.ReadAllLines(root.Combine("runs.log")) : [];
        var ranAfter = new List<string>();
        await using (var restarted = ApprovalHost.Create(root.Path))
        {
            foreach (var callId in callIds)
            {
                var decision = await restarted.MeiCallsAsync(callId);
                if (decision.IsAllowed)
                {
                    ranAfter.Add(callId);
                }
                else
                {
                    Assert.Contains("already ran once", decision.Reason, StringComparison.Ordinal);
                }
            }
        }

        var runs = ranBefore.Concat(ranAfter).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(runs, r => Assert.Equal(1, r.Value)); // never twice
        Assert.Contains("call-5", ranBefore);
        Assert.NotEmpty(ranAfter); // the kill left calls unused, and they ran once after the restart
        Assert.True(runs.Count >= callIds.Length - 1, $"at most the one call in flight at the kill may be lost; ran: {runs.Count} of {callIds.Length}");
    }

    [Fact]
    public async Task Two_processes_approving_the_same_requests_at_once_one_wins_each()
    {
        using var root = new TempDirectory("approvals");
        var yaml = ApprovalHost.Yaml.Replace("identities:\n", "identities:\n  zoe:\n    role: owner\n    accounts: { telegram: \"444\" }\n", StringComparison.Ordinal);
        root.Write("identities.yaml", yaml);
        await using var host = ApprovalHost.Create(root.Path, yaml);
        var codes = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            codes.Add((await host.MeiCallsAsync("call-" + i)).Approval!.Id);
        }

        using var child = ChildProcess.Start(Worker, ["approve", root.Path, "444", .. codes]);
        await child.WaitForLineAsync(l => l == "ready", TestContext.Current.CancellationToken);
        child.SendLine("go");
        var mine = new List<PolicyDecision>();
        foreach (var code in codes)
        {
            mine.Add(await host.ApproveAsync("111", code));
        }

        await child.WaitForExitAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, child.ExitCode);
        for (var i = 0; i < codes.Count; i++)
        {
            var theirs = child.Lines.Single(l => l.EndsWith(" " + codes[i], StringComparison.Ordinal));
            Assert.True(mine[i].IsAllowed ^ theirs.StartsWith("approved", StringComparison.Ordinal), $"{codes[i]}: here {mine[i]}, there {theirs}");
        }
    }
}
