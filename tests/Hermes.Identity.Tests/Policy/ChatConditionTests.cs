using Hermes.Identity.Configuration;
using Hermes.Identity.Policy;
using Hermes.Identity.Tests.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// Rules that hold only in some kinds of chat ('{ action: ..., when: { chat: ... } }'), on a real identities.yaml on disk
// loaded by AddHermesIsolation: in force where the condition holds, absent where it does not, and outside any chat read
// the way that fails closed (a conditional allow does not apply, a conditional deny does).
public sealed class ChatConditionTests
{
    // mei: trusted, plus exec in direct chats only, minus the web in groups and channels. ada: a guest who may write files
    // in a direct chat (her own rule). root: the owner, who needs an approval for exec in a group.
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis: { role: owner, accounts: { telegram: "111" } }
          mei: { role: helper, accounts: { telegram: "222" } }
          ada:
            role: guest
            accounts: { telegram: "333" }
            allow:
              - { action: tool.files.write, when: { chat: direct } }
          root: { role: careful-owner, accounts: { telegram: "444" } }
        roles:
          helper:
            inherits: trusted
            allow:
              - tool.memory
              - { action: tool.exec, when: { chat: direct } }
            deny:
              - { action: tool.web.*, when: { chat: [group, channel] } }
          careful-owner:
            inherits: owner
            require_approval:
              - { action: tool.exec, when: { chat: group } }
        """ + "\n" + Identities.Tools;

    private const string DirectExec = "role:helper/allow/tool.exec[chat:direct]";
    private const string GroupWebDeny = "role:helper/deny/tool.web.*[chat:group,channel]";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PolicyEngine Engine(HermesHost host) => host.Services.GetRequiredService<PolicyEngine>();

    private static async Task<PolicyDecision> InChat(HermesHost host, string userId, ChatKind chat, string tool)
    {
        await using var turn = host.Begin("telegram", userId, chatId: "c1", kind: chat);
        return await Engine(host).AuthorizeToolCallAsync(tool, cancellationToken: Ct);
    }

    [Fact]
    public async Task A_direct_only_allow_holds_in_a_direct_chat_and_is_absent_everywhere_else()
    {
        await using var host = new HermesHost(Yaml);

        var direct = await InChat(host, "222", ChatKind.Direct, "terminal");
        Assert.Equal(PolicyEffect.Allow, direct.Effect);
        Assert.Equal([DirectExec], direct.RuleIds);

        foreach (var chat in new[] { ChatKind.Group, ChatKind.Channel, ChatKind.Thread })
        {
            var refused = await InChat(host, "222", chat, "terminal");
            Assert.True(refused.Effect == PolicyEffect.Deny, $"{chat}: {refused.Reason}");
            Assert.Empty(refused.RuleIds); // the default deny: nothing allows it here
            Assert.Contains($"{DirectExec} would allow it, but only in a direct chat", refused.Reason, StringComparison.Ordinal);
        }

        // Interleaved turns of one person in two chats: each decision follows its own turn's chat, cached or not.
        Assert.True((await InChat(host, "222", ChatKind.Direct, "terminal")).IsAllowed);
        Assert.False((await InChat(host, "222", ChatKind.Group, "terminal")).IsAllowed);
        Assert.True((await InChat(host, "222", ChatKind.Direct, "execute_code")).IsAllowed);
    }

    [Fact]
    public async Task A_conditional_deny_beats_the_allow_where_it_holds_and_only_there()
    {
        await using var host = new HermesHost(Yaml);

        foreach (var chat in new[] { ChatKind.Group, ChatKind.Channel })
        {
            var denied = await InChat(host, "222", chat, "web_search");
            Assert.Equal(PolicyEffect.Deny, denied.Effect);
            Assert.Equal([GroupWebDeny], denied.RuleIds);
            Assert.Contains("denied tool.web.search", denied.Reason, StringComparison.Ordinal);
        }

        foreach (var chat in new[] { ChatKind.Direct, ChatKind.Thread })
        {
            var allowed = await InChat(host, "222", chat, "web_search");
            Assert.True(allowed.IsAllowed, $"{chat}: {allowed.Reason}");
            Assert.Equal(["role:trusted/allow/tool.web.*"], allowed.RuleIds);
        }
    }

    [Fact]
    public async Task An_identity_rule_and_a_require_approval_can_carry_a_condition_too()
    {
        await using var host = new HermesHost(Yaml);

        Assert.True((await InChat(host, "333", ChatKind.Direct, "write_file")).IsAllowed);
        Assert.False((await InChat(host, "333", ChatKind.Group, "write_file")).IsAllowed);

        Assert.Equal(PolicyEffect.RequireApproval, (await InChat(host, "444", ChatKind.Group, "terminal")).Effect);
        Assert.Equal(PolicyEffect.Allow, (await InChat(host, "444", ChatKind.Direct, "terminal")).Effect);
        Assert.Equal(PolicyEffect.Allow, (await InChat(host, "444", ChatKind.Group, "read_file")).Effect);
    }

    [Fact]
    public async Task The_tools_offered_to_the_model_follow_the_chat()
    {
        await using var host = new HermesHost(Yaml);
        string[] tools = ["terminal", "read_file", "web_search"];

        await using (host.Begin("telegram", "222", chatId: "c1", kind: ChatKind.Direct))
        {
            Assert.Equal(["terminal", "read_file", "web_search"], await Engine(host).GetVisibleToolsAsync(tools, Ct));
        }

        await using (host.Begin("telegram", "222", chatId: "c2", kind: ChatKind.Group))
        {
            Assert.Equal(["read_file"], await Engine(host).GetVisibleToolsAsync(tools, Ct));
        }
    }

    [Fact]
    public async Task Outside_any_chat_a_conditional_allow_does_not_apply_and_a_conditional_deny_does()
    {
        await using var host = new HermesHost(Yaml);
        var mei = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current.Profiles["mei"];

        var exec = await Engine(host).ExplainAsync(mei, "tool.exec", "terminal", Ct);
        Assert.Equal(PolicyEffect.Deny, exec.Decision.Effect);
        Assert.Contains(exec.Steps, s => s.StartsWith("There is no chat", StringComparison.Ordinal));
        Assert.Contains($"Rule {DirectExec} holds only in a direct chat; there is no chat, so as an allow it does not apply (fail closed).", exec.Steps);

        var web = await Engine(host).ExplainAsync(mei, "tool.web.search", "web_search", Ct);
        Assert.Equal(PolicyEffect.Deny, web.Decision.Effect);
        Assert.Equal([GroupWebDeny], web.Decision.RuleIds);
        Assert.Contains($"Rule {GroupWebDeny} holds only in a group or a channel; there is no chat, so as a deny it applies (fail closed).", web.Steps);

        // Unconditional rules are unaffected.
        Assert.True((await Engine(host).ExplainAsync(mei, "tool.files.read", "read_file", Ct)).Decision.IsAllowed);
    }

    [Fact]
    public async Task The_explanation_in_a_turn_says_which_condition_held_and_which_did_not()
    {
        await using var host = new HermesHost(Yaml);

        await using (host.Begin("telegram", "222", chatId: "c1", kind: ChatKind.Group))
        {
            var exec = await Engine(host).ExplainToolCallAsync("terminal", Ct);
            Assert.Equal(PolicyEffect.Deny, exec.Decision.Effect);
            Assert.Contains("Sender: telegram:222, a person, in a group.", exec.Steps);
            Assert.Contains($"Rule {DirectExec} holds only in a direct chat; this message is in a group, so its condition does not hold and it does not apply.", exec.Steps);

            var web = await Engine(host).ExplainToolCallAsync("web_search", Ct);
            Assert.Contains($"Rule {GroupWebDeny} holds only in a group or a channel; this message is in a group, so its condition holds and it applies.", web.Steps);
            Assert.Contains("A deny beats any allow.", web.Steps);
        }

        await using (host.Begin("telegram", "222", chatId: "c1", kind: ChatKind.Direct))
        {
            var exec = await Engine(host).ExplainToolCallAsync("terminal", Ct);
            Assert.True(exec.Decision.IsAllowed);
            Assert.Contains($"Rule {DirectExec} holds only in a direct chat; this message is in a direct chat, so its condition holds and it applies.", exec.Steps);
            Assert.Contains($"Allow rules matching tool.exec: {DirectExec}.", exec.Steps);
        }
    }

    [Fact]
    public async Task A_reload_that_adds_or_removes_a_condition_applies_to_the_turn_in_progress()
    {
        await using var host = new HermesHost(Yaml);
        var provider = (YamlIdentitySnapshotProvider)host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        await using var turn = host.Begin("telegram", "222", chatId: "c1", kind: ChatKind.Group);
        Assert.False((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);

        // Exec now holds in groups too.
        var groupsToo = Yaml.Replace("{ action: tool.exec, when: { chat: direct } }", "{ action: tool.exec, when: { chat: [direct, group] } }", StringComparison.Ordinal);
        host.Folder.Write("identities.yaml", groupsToo);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(groupsToo, host.Root), "widening the condition");
        var allowed = await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct);
        Assert.True(allowed.IsAllowed, allowed.Reason);
        Assert.Equal(["role:helper/allow/tool.exec[chat:direct,group]"], allowed.RuleIds);

        // And the web is now denied in every chat: the deny lost its condition.
        var everywhere = groupsToo.Replace("{ action: tool.web.*, when: { chat: [group, channel] } }", "tool.web.*", StringComparison.Ordinal);
        host.Folder.Write("identities.yaml", everywhere);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(everywhere, host.Root), "dropping the condition");
        Assert.Equal(["role:helper/deny/tool.web.*"], (await Engine(host).AuthorizeToolCallAsync("web_search", cancellationToken: Ct)).RuleIds);
        Assert.True((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);

        // A bad condition keeps the last good file in force.
        host.Folder.Write("identities.yaml", everywhere.Replace("chat: [direct, group]", "chat: [direct, dm]", StringComparison.Ordinal));
        Assert.False(provider.TryReload(out var error));
        Assert.Contains("'dm'", error!.Message, StringComparison.Ordinal);
        Assert.True((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
    }

    [Fact]
    public async Task An_operator_explains_a_profiles_decision_in_a_chosen_kind_of_chat_outside_any_turn()
    {
        await using var host = new HermesHost(Yaml);
        var snapshot = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current;
        var mei = snapshot.Profiles["mei"];

        var direct = await Engine(host).ExplainToolCallInChatAsync(mei, "terminal", ChatKind.Direct, Ct);
        var group = await Engine(host).ExplainToolCallInChatAsync(mei, "terminal", ChatKind.Group, Ct);
        Assert.Equal(PolicyEffect.Allow, direct.Decision.Effect);
        Assert.Equal([DirectExec], direct.Decision.RuleIds);
        Assert.Equal(PolicyEffect.Deny, group.Decision.Effect);
        Assert.Contains(group.Steps, s => s.Contains("in a group", StringComparison.Ordinal));

        var webInChannel = await Engine(host).ExplainInChatAsync(mei, "tool.web.search", "web_search", ChatKind.Channel, Ct);
        Assert.Equal(PolicyEffect.Deny, webInChannel.Decision.Effect);
        Assert.Contains(GroupWebDeny, webInChannel.Decision.RuleIds);
        Assert.Equal(PolicyEffect.Allow, (await Engine(host).ExplainInChatAsync(mei, "tool.web.search", "web_search", ChatKind.Direct, Ct)).Decision.Effect);

        // The tools: map in force is public: what the rights table of an operator's tool lists.
        Assert.Equal("exec", snapshot.Tools["terminal"]);
    }
}
