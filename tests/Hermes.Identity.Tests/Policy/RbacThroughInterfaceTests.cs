using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// The engine asks the built-in roles on a fast path, not through IPolicyBackend.EvaluateAsync. This pins that the
// two give the same answer for every profile of the story and every action and tool, so the shortcut is only that.
public class RbacThroughInterfaceTests
{
    private static readonly string[] Tools = ["terminal", "execute_code", "read_file", "write_file", "search_files", "web_search", "memory", "session_search", "made_up"];

    [Fact]
    public async Task The_fast_path_decides_as_the_backend_interface_does()
    {
        await using var host = new HermesHost();
        var snapshots = host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        var snapshot = snapshots.Current;
        var rbac = new RbacPolicyBackend(snapshots);
        var policy = host.Services.GetRequiredService<PolicyEngine>();
        var compared = 0;
        foreach (var profile in snapshot.Profiles.Values)
        {
            foreach (var action in PolicyActions.All)
            {
                var engine = await policy.ExplainAsync(profile, action, "x", TestContext.Current.CancellationToken);
                var direct = await rbac.EvaluateAsync(new PolicyRequest(profile, action, "x"), TestContext.Current.CancellationToken);
                Assert.Equal(direct.Effect, engine.Decision.Effect);
                compared++;
            }

            foreach (var tool in Tools)
            {
                var action = snapshot.Tools.TryGetValue(tool, out var category) ? PolicyActions.ForToolCategory(category) : "tool.unlisted";
                var engine = await policy.ExplainAsync(profile, action, tool, TestContext.Current.CancellationToken);
                var direct = await rbac.EvaluateAsync(new PolicyRequest(profile, action, tool), TestContext.Current.CancellationToken);
                Assert.Equal(direct.Effect, engine.Decision.Effect);
                compared++;
            }
        }

        Assert.True(compared > 50);
    }
}
