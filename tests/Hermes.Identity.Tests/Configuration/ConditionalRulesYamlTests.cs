namespace Hermes.Identity.Tests.Configuration;

// The YAML of conditional rules and of 'automated:', read from files on disk: what loads, and every mistake reported
// with its file, line and column and what to write instead.
public sealed class ConditionalRulesYamlTests
{
    private static string Header(string roleBody, string identityExtra = "") => $$"""
        version: 1
        identities:
          mei:
            role: helper
            accounts: { telegram: "222" }
        {{identityExtra}}
        roles:
          helper:
            inherits: trusted
        {{roleBody}}
        """;

    private static IdentitySnapshot Load(string yaml, out string path)
    {
        using var dir = new TempDirectory("conditions");
        path = dir.Write("identities.yaml", yaml);
        return IdentitySnapshot.Load(path, dir.Path);
    }

    private static (IdentityConfigError Error, string Path) SingleError(string yaml, string fragment)
    {
        using var dir = new TempDirectory("conditions");
        var path = dir.Write("identities.yaml", yaml);
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Load(path, dir.Path));
        var error = Assert.Single(ex.Errors, e => e.Message.Contains(fragment, StringComparison.Ordinal));
        Assert.Equal(path, error.File);
        Assert.Contains($"{path}:{error.Line}:{error.Column}: ", ex.Message, StringComparison.Ordinal);
        return (error, path);
    }

    [Fact]
    public void Plain_and_conditional_entries_load_side_by_side()
    {
        var snapshot = Load(Header("""
                allow:
                  - tool.memory
                  - { action: tool.exec, when: { chat: direct } }
                  - action: [tool.files.write, workspace.write]
                    when: { chat: [direct, thread] }
                  - { action: memory.shared.read }
                deny:
                  - { action: tool.web.*, when: { chat: [group, channel] } }
                require_approval: { action: tool.exec, when: { chat: direct } }
            """), out _);

        var helper = snapshot.Roles["helper"];
        Assert.Equal(["tool.memory", "memory.shared.read"], helper.Allow);
        Assert.Equal(
            [new ConditionalPattern("tool.exec", ChatKinds.Direct), new ConditionalPattern("tool.files.write", ChatKinds.Direct | ChatKinds.Thread), new ConditionalPattern("workspace.write", ChatKinds.Direct | ChatKinds.Thread)],
            helper.ConditionalAllow);
        Assert.Equal([new ConditionalPattern("tool.web.*", ChatKinds.Group | ChatKinds.Channel)], helper.ConditionalDeny);
        Assert.Equal([new ConditionalPattern("tool.exec", ChatKinds.Direct)], helper.ConditionalRequireApproval);
        Assert.Empty(helper.Deny);
    }

    [Fact]
    public void Automated_takes_true_false_or_a_list_of_kinds()
    {
        var snapshot = Load("""
            version: 1
            identities:
              a: { role: owner, accounts: { telegram: "1" }, automated: true }
              b: { role: owner, accounts: { telegram: "2" }, automated: false }
              c: { role: owner, accounts: { telegram: "3" }, automated: [webhook, relay] }
              d: { role: owner, accounts: { telegram: "4" }, automated: bot }
              e: { role: owner, accounts: { telegram: "5" } }
            """, out _);

        Assert.Equal(AutomatedSenders.All, snapshot.Profiles["a"].AcceptsAutomated);
        Assert.Equal(AutomatedSenders.None, snapshot.Profiles["b"].AcceptsAutomated);
        Assert.Equal(AutomatedSenders.Webhook | AutomatedSenders.Relay, snapshot.Profiles["c"].AcceptsAutomated);
        Assert.Equal(AutomatedSenders.Bot, snapshot.Profiles["d"].AcceptsAutomated);
        Assert.Equal(AutomatedSenders.None, snapshot.Profiles["e"].AcceptsAutomated);
        Assert.True(snapshot.Profiles["c"].Accepts(SenderKind.Relay));
        Assert.False(snapshot.Profiles["c"].Accepts(SenderKind.Bot));
        Assert.True(snapshot.Profiles["e"].Accepts(SenderKind.Person));
    }

    [Fact]
    public void An_unknown_chat_kind_is_refused_where_it_is_with_the_kinds_to_use()
    {
        var (error, _) = SingleError(Header("""
                allow:
                  - { action: tool.exec, when: { chat: [direct, dm] } }
            """), "'dm'");
        Assert.Equal((11, 53), (error.Line, error.Column));
        Assert.Contains("is not a kind of chat", error.Message, StringComparison.Ordinal);
        Assert.Contains("Use direct, group, channel or thread", error.Message, StringComparison.Ordinal);

        var (typo, _) = SingleError(Header("""
                deny:
                  - { action: tool.exec, when: { chat: gruop } }
            """), "'gruop'");
        Assert.Contains("Did you mean 'group'?", typo.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_an_entry_or_in_when_is_refused_with_a_suggestion()
    {
        var (entry, _) = SingleError(Header("""
                allow:
                  - { action: tool.exec, wehn: { chat: direct } }
            """), "'wehn'");
        Assert.Equal((11, 30), (entry.Line, entry.Column));
        Assert.Contains("Did you mean 'when'?", entry.Message, StringComparison.Ordinal);
        Assert.Contains("Allowed keys: action, when.", entry.Message, StringComparison.Ordinal);

        var (when, _) = SingleError(Header("""
                allow:
                  - { action: tool.exec, when: { chats: direct } }
            """), "'chats'");
        Assert.Equal((11, 38), (when.Line, when.Column));
        Assert.Contains("Did you mean 'chat'?", when.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  - { when: { chat: direct } }", "has no 'action'", 11, 9)]
    [InlineData("  - { action: tool.exec, when: {} }", "holds no condition", 11, 36)]
    [InlineData("  - { action: tool.exec, when: direct }", "must be a mapping, such as 'when: { chat: direct }'", 11, 36)]
    [InlineData("  - { action: tool.exec, when: { chat: [] } }", "lists no kind of chat", 11, 44)]
    [InlineData("  - { action: tool.exce, when: { chat: direct } }", "'tool.exce' in 'action' of an entry of 'allow' of role 'helper' matches no known action", 11, 19)]
    [InlineData("  - [tool.exec]", "is a list", 11, 9)]
    public void A_malformed_entry_says_where_and_what_to_write(string entry, string fragment, int line, int column)
    {
        var (error, _) = SingleError(Header("    allow:\n    " + entry), fragment);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("automated: [robot]", "Did you mean 'bot'?")]
    [InlineData("automated: { bot: true }", "must be true, false, or a list of bot, webhook and relay")]
    [InlineData("automated: yes", "is not a kind of automated sender")]
    public void A_bad_automated_value_says_what_to_write(string line, string fragment)
    {
        var (error, _) = SingleError(Header("", "    " + line), fragment);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void An_identity_rule_can_carry_a_condition_and_is_checked_the_same_way()
    {
        var snapshot = Load(Header("", "    allow: [{ action: tool.exec, when: { chat: direct } }]"), out _);
        Assert.Equal([new ConditionalPattern("tool.exec", ChatKinds.Direct)], snapshot.Profiles["mei"].ConditionalAllow);

        var (error, _) = SingleError(Header("", "    deny: [{ action: tool.exec, when: { chat: dm } }]"), "'dm'");
        Assert.Equal(6, error.Line);
        Assert.Contains("'deny' of identity 'mei'", error.Message, StringComparison.Ordinal);
    }
}
