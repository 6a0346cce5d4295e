using Hermes.Identity.Policy;
using Hermes.Identity.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// 'require_approval:' on one identity, as on a role: that person may do the action only once someone with approval.grant
// approves the call; everyone else of the same role is unaffected.
public sealed class IdentityRequireApprovalTests
{
    private const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          louis: { role: owner, accounts: { telegram: "111" } }
          mei:
            role: trusted
            accounts: { telegram: "222" }
            allow: [tool.exec]
            require_approval: [tool.exec]
          june:
            role: trusted
            accounts: { telegram: "333" }
            allow: [tool.exec]
            require_approval:
              - { action: tool.exec, when: { chat: group } }
          kai: { role: trusted, accounts: { telegram: "444" } }
        """ + "\n" + Identities.Tools;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<PolicyDecision> Terminal(HermesHost host, string userId, ChatKind chat = ChatKind.Direct)
    {
        await using var turn = host.Begin("telegram", userId, chatId: "c1", kind: chat);
        return await host.Services.GetRequiredService<PolicyEngine>().PreviewToolCallAsync("terminal", Ct);
    }

    [Fact]
    public async Task A_persons_require_approval_makes_their_call_wait_and_leaves_others_of_the_role_alone()
    {
        await using var host = new HermesHost(Yaml);

        var mei = await Terminal(host, "222");
        Assert.Equal(PolicyEffect.RequireApproval, mei.Effect);
        Assert.Contains("identity:mei/require_approval/tool.exec", mei.RuleIds);

        Assert.Equal(PolicyEffect.Deny, (await Terminal(host, "444")).Effect); // kai: trusted, no exec at all
    }

    [Fact]
    public async Task A_persons_require_approval_can_hold_only_in_some_chats()
    {
        await using var host = new HermesHost(Yaml);

        Assert.Equal(PolicyEffect.Allow, (await Terminal(host, "333", ChatKind.Direct)).Effect);
        Assert.Equal(PolicyEffect.RequireApproval, (await Terminal(host, "333", ChatKind.Group)).Effect);
    }

    [Fact]
    public async Task An_unknown_action_in_a_persons_require_approval_is_a_configuration_error_with_its_position()
    {
        var error = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(Yaml.Replace("require_approval: [tool.exec]", "require_approval: [tool.exex]", StringComparison.Ordinal), "/srv/hermes"));
        Assert.Contains(error.Errors, e => e.Message.Contains("'require_approval' of identity 'mei'", StringComparison.Ordinal) && e.Line > 0);
    }
}
