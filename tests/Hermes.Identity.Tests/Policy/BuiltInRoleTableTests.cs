using Hermes.Identity;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Tests.Policy;

// The table of ARCHITECTURE.md ("Actions and the built-in roles"), every role × every action category.
public sealed class BuiltInRoleTableTests
{
    private const PolicyEffect A = PolicyEffect.Allow;
    private const PolicyEffect D = PolicyEffect.Deny;

    // action                          owner trusted guest
    public static TheoryData<string, PolicyEffect, PolicyEffect, PolicyEffect> Table => new()
    {
        { "tool.exec",                   A, D, D },   // trusted: no exec
        { "tool.files.read",             A, A, A },
        { "tool.files.write",            A, A, D },   // guest: read-only
        { "tool.web.search",             A, A, A },
        { "tool.memory",                 A, A, A },
        { "tool.sessions",               A, A, A },
        { "tool.unlisted",               A, D, D },   // a tool not in tools: reaches owner only
        { PolicyActions.MemoryRead,        A, A, A },   // own memory
        { PolicyActions.MemoryWrite,       A, A, A },
        { PolicyActions.MemorySharedRead,  A, D, D },   // shared read only if granted
        { PolicyActions.MemorySharedWrite, A, D, D },
        { PolicyActions.SessionsReadAll,   A, D, D },   // owner sees all sessions
        { PolicyActions.WorkspaceRead,     A, A, A },
        { PolicyActions.WorkspaceWrite,    A, A, D },   // guest workspace is read-only
        { PolicyActions.ApprovalGrant,     A, D, D },
        { PolicyActions.IdentityAdmin,     A, D, D },
        { PolicyActions.ProfileExport,     A, D, D },   // granted to other roles in identities.yaml if wanted
        { PolicyActions.ProfileErase,      A, D, D },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Built_in_role_decides_as_the_architecture_table_says(string action, PolicyEffect owner, PolicyEffect trusted, PolicyEffect guest)
    {
        await using var host = PolicyTestHost.Create();
        foreach (var (key, expected) in new[] { ("louis", owner), ("mei", trusted), ("ada", guest) })
        {
            var decision = await host.Engine.EvaluateAsync(new PolicyRequest(host.Profile(key), action), TestContext.Current.CancellationToken);
            Assert.True(expected == decision.Effect, $"{key} ({host.Profile(key).Role}) on {action}: expected {expected}, got {decision.Effect}: {decision.Reason}");
            Assert.Equal(host.Snapshots.Current.Revision, decision.Revision);
        }
    }

    [Fact]
    public void Every_action_and_tool_category_is_in_the_table()
    {
        var covered = Table.Select(row => (string)row.Data.Item1).ToHashSet();
        Assert.Superset(new HashSet<string>([.. PolicyActions.All, .. PolicyActions.BuiltInToolCategories.Select(PolicyActions.ForToolCategory)]), covered);
    }

    [Fact]
    public void Built_in_definitions_carry_the_workspace_confinement()
    {
        Assert.Equal(WorkspaceConfinement.Unrestricted, BuiltInRoles.Definitions[BuiltInRoles.Owner].Workspace);
        Assert.Equal(WorkspaceConfinement.Confined, BuiltInRoles.Definitions[BuiltInRoles.Trusted].Workspace);
        Assert.Equal(WorkspaceConfinement.Confined, BuiltInRoles.Definitions[BuiltInRoles.Guest].Workspace);
    }
}
