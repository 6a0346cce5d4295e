using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Policy;

namespace Hermes.Identity.Tests.Approvals;

// With the state store registered and grants in force, a decision the roles allow never looks at grants or the
// store: it allocates nothing, as without them (MessageBenchmarks measures its time).
public sealed class AllowPathTests
{
    [Fact]
    public async Task The_allow_path_allocates_nothing_with_a_store_and_grants_in_force()
    {
        var yaml = ApprovalHost.Yaml.Replace("    role: operator\n", "    role: trusted\n", StringComparison.Ordinal);
        await using var host = ApprovalHost.Create(yaml: yaml);
        await host.As("111", async () => await host.Grants.IssueAsync("mei", "tool.exec", 3, TimeSpan.FromHours(1)));
        Assert.Equal(PolicyEffect.Allow, (await host.MeiCallsAsync("call-0")).Effect); // the grant is in the index

        var allocated = await host.As("222", () =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Decide(host.Engine); // warm up: tiered JIT, the turn's rules
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(Decide(host.Engine).IsAllowed);
            }

            return Task.FromResult(GC.GetAllocatedBytesForCurrentThread() - before);
        });

        Assert.Equal(0, allocated);
    }

    private static PolicyDecision Decide(PolicyEngine engine)
    {
        var pending = engine.AuthorizeToolCallAsync("read_file");
        Assert.True(pending.IsCompletedSuccessfully, "the allow path completes synchronously");
        return pending.Result;
    }
}
