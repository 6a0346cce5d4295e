using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Tests.Policy;

public sealed class PolicyEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ListedTools = ["terminal", "execute_code", "read_file", "search_files", "write_file", "web_search", "memory", "session_search"];

    [Fact]
    public async Task Outside_a_turn_everything_is_denied_with_the_error_recorded()
    {
        await using var host = PolicyTestHost.Create();

        var action = await host.Engine.AuthorizeAsync(PolicyActions.MemoryRead, cancellationToken: Ct);
        var tool = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, action.Effect);
        Assert.Equal(PolicyEffect.Deny, tool.Effect);
        Assert.NotEmpty(action.Errors);
        Assert.Contains("No turn", tool.Reason, StringComparison.Ordinal);
        Assert.Empty(await host.Engine.GetVisibleToolsAsync(ListedTools, Ct));
    }

    [Fact]
    public async Task A_profile_the_configuration_no_longer_has_is_denied_with_the_error_recorded()
    {
        await using var host = PolicyTestHost.Create();
        var mei = host.Profile("mei");
        host.Snapshots.Swap(host.Parse(PolicyTestHost.StandardYaml.Replace("""
              mei:
                role: trusted
                accounts: { telegram: "222" }
            """, string.Empty, StringComparison.Ordinal)));

        var decision = await host.Engine.EvaluateAsync(new PolicyRequest(mei, PolicyActions.MemoryRead), Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("mei", Assert.Single(decision.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_that_demotes_someone_applies_within_the_turn_already_running()
    {
        await using var host = PolicyTestHost.Create();
        await using var turn = host.BeginTurn("222");
        Assert.True((await host.Engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct)).IsAllowed);

        var demoted = host.Parse(PolicyTestHost.StandardYaml.Replace("role: trusted", "role: guest", StringComparison.Ordinal));
        host.Snapshots.Swap(demoted);
        var decision = await host.Engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Equal(demoted.Revision, decision.Revision);
        Assert.Contains("role guest", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_that_removes_someone_denies_them_within_the_turn_already_running_and_a_reload_back_restores_them()
    {
        await using var host = PolicyTestHost.Create();
        var original = host.Snapshots.Current;
        await using var turn = host.BeginTurn("222");
        Assert.True((await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct)).IsAllowed);

        host.Snapshots.Swap(host.Parse(PolicyTestHost.StandardYaml.Replace("""
              mei:
                role: trusted
                accounts: { telegram: "222" }
            """, string.Empty, StringComparison.Ordinal)));
        var removed = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
        Assert.Equal(PolicyEffect.Deny, removed.Effect);
        Assert.Contains("mei", Assert.Single(removed.Errors), StringComparison.Ordinal);

        host.Snapshots.Swap(original);
        Assert.True((await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct)).IsAllowed);
        host.Snapshots.Swap(host.Parse(PolicyTestHost.StandardYaml.Replace("role: trusted", "role: guest", StringComparison.Ordinal)));
        Assert.Equal(PolicyEffect.Deny, (await host.Engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct)).Effect);
    }

    [Fact]
    public async Task A_guest_keeps_the_guest_role_and_loses_everything_when_guests_are_no_longer_admitted()
    {
        await using var host = PolicyTestHost.Create();
        await using var turn = host.BeginTurn("999");
        Assert.True(turn.Profile.IsGuest);

        Assert.True((await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct)).IsAllowed);
        Assert.False((await host.Engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct)).IsAllowed);

        host.Snapshots.Swap(host.Parse(PolicyTestHost.StandardYaml.Replace("unknown_senders: guest", "unknown_senders: deny", StringComparison.Ordinal)));
        var after = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
        Assert.Equal(PolicyEffect.Deny, after.Effect);
        Assert.NotEmpty(after.Errors);
    }

    [Theory]
    [InlineData("111", PolicyEffect.Allow)]
    [InlineData("222", PolicyEffect.Deny)]
    [InlineData("333", PolicyEffect.Deny)]
    public async Task A_tool_not_in_the_map_reaches_only_a_role_that_allows_every_tool(string userId, PolicyEffect expected)
    {
        await using var host = PolicyTestHost.Create();
        await using var turn = host.BeginTurn(userId);

        var decision = await host.Engine.AuthorizeToolCallAsync("format_disk", "call-1", cancellationToken: Ct);

        Assert.Equal(expected, decision.Effect);
        if (expected == PolicyEffect.Deny)
        {
            Assert.Contains("not listed", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Visible_tools_equal_the_per_call_decision_for_every_tool_and_every_role()
    {
        var withRoles = PolicyTestHost.StandardYaml.Replace("identities:\n", """
            identities:
              kim:
                role: family
                accounts: { telegram: "444" }
              joe:
                role: operator
                accounts: { telegram: "555" }
                deny: [tool.files.write]

            """, StringComparison.Ordinal) + """

            roles:
              family:
                inherits: trusted
                deny: [tool.web.*]
              operator:
                inherits: trusted
                allow: [tool.exec]
                require_approval: [tool.exec]
            """;
        await using var host = PolicyTestHost.Create(withRoles);
        string[] tools = [.. ListedTools, "format_disk", "mystery"];

        foreach (var userId in new[] { "111", "222", "333", "444", "555", "999" })
        {
            await using var turn = host.BeginTurn(userId);
            var visible = await host.Engine.GetVisibleToolsAsync(tools, Ct);
            var callable = new List<string>();
            foreach (var tool in tools)
            {
                if ((await host.Engine.AuthorizeToolCallAsync(tool, cancellationToken: Ct)).Effect != PolicyEffect.Deny)
                {
                    callable.Add(tool);
                }
            }

            Assert.Equal(callable, visible);
        }
    }

    [Fact]
    public async Task The_tool_list_differs_by_role_as_configured()
    {
        await using var host = PolicyTestHost.Create();
        await using (host.BeginTurn("222"))
        {
            Assert.Equal(["read_file", "search_files", "write_file", "web_search", "memory", "session_search"], await host.Engine.GetVisibleToolsAsync(ListedTools, Ct));
        }

        await using (host.BeginTurn("333"))
        {
            Assert.Equal(["read_file", "search_files", "web_search", "memory", "session_search"], await host.Engine.GetVisibleToolsAsync(ListedTools, Ct));
        }
    }

    [Fact]
    public async Task Per_identity_rules_add_to_and_take_from_the_role()
    {
        var yaml = PolicyTestHost.StandardYaml.Replace("""
                role: trusted
                accounts: { telegram: "222" }
            """, """
                role: trusted
                accounts: { telegram: "222" }
                allow: [tool.exec]
                deny: [tool.web.*]
            """, StringComparison.Ordinal);
        await using var host = PolicyTestHost.Create(yaml);
        await using var turn = host.BeginTurn("222");

        var exec = await host.Engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct);
        var web = await host.Engine.AuthorizeToolCallAsync("web_search", cancellationToken: Ct);

        Assert.True(exec.IsAllowed);
        Assert.Contains("identity:mei/allow/tool.exec", exec.RuleIds);
        Assert.Equal(PolicyEffect.Deny, web.Effect);
        Assert.Equal(["identity:mei/deny/tool.web.*"], web.RuleIds);
    }

    [Fact]
    public async Task A_tool_call_is_judged_by_the_tools_own_category_whatever_the_request_claims()
    {
        await using var host = PolicyTestHost.Create();

        var decision = await host.Engine.EvaluateAsync(new PolicyRequest(host.Profile("mei"), "tool.files.read", "terminal"), Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("tool.exec", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_gives_the_default_deny_in_words()
    {
        await using var host = PolicyTestHost.Create();
        await using var turn = host.BeginTurn("222");

        var explanation = await host.Engine.ExplainToolCallAsync("terminal", Ct);

        Assert.Equal(PolicyEffect.Deny, explanation.Decision.Effect);
        Assert.Empty(explanation.Decision.RuleIds);
        Assert.Contains("no rule allows role trusted to tool.exec (tool terminal)", explanation.Decision.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(explanation.Steps, s => s.Contains("Tool terminal is listed in category exec", StringComparison.Ordinal));
        Assert.Contains(explanation.Steps, s => s.StartsWith("Decision: Deny", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explain_names_the_inherited_rules_and_the_deny_that_won()
    {
        var yaml = PolicyTestHost.StandardYaml.Replace("role: trusted", "role: family", StringComparison.Ordinal) + """

            roles:
              family:
                inherits: trusted
                deny: [tool.web.*]
            """;
        await using var host = PolicyTestHost.Create(yaml);

        var explanation = await host.Engine.ExplainAsync(new PolicyRequest(host.Profile("mei"), "tool.web.search", "web_search"), Ct);
        var text = explanation.ToString();

        Assert.Equal(PolicyEffect.Deny, explanation.Decision.Effect);
        Assert.Contains("family → trusted", text, StringComparison.Ordinal);
        Assert.Contains("role:family/deny/tool.web.*", text, StringComparison.Ordinal);
        Assert.Contains("role:trusted/allow/tool.web.*", text, StringComparison.Ordinal);
        Assert.Contains("A deny beats any allow.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throwing_backend_denies_with_the_error_recorded()
    {
        await using var host = PolicyTestHost.Create(configure: b => b.AddPolicyBackend<ThrowingBackend>());
        await using var turn = host.BeginTurn("111");

        var decision = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("the policy store is unreachable", Assert.Single(decision.Errors), StringComparison.Ordinal);
        Assert.DoesNotContain("unreachable", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_past_the_timeout_denies_with_the_error_recorded()
    {
        await using var host = PolicyTestHost.Create(configure: b => b.AddPolicyBackend<SlowBackend>().ConfigurePolicy(o => o.BackendTimeout = TimeSpan.FromMilliseconds(50)));
        await using var turn = host.BeginTurn("111");

        // SlowBackend answers only when cancelled: were the engine to wait for it, this would hang, not pass.
        var decision = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct).AsTask().WaitAsync(HangGuard.Timeout, Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("SlowBackend: no answer within 50 ms", Assert.Single(decision.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backend_answer_that_is_no_known_effect_denies()
    {
        await using var host = PolicyTestHost.Create(configure: b => b.AddPolicyBackend<NonsenseBackend>());
        await using var turn = host.BeginTurn("111");

        var decision = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.Contains("effect 7", Assert.Single(decision.Errors), StringComparison.Ordinal);
        Assert.Empty(await host.Engine.GetVisibleToolsAsync(["read_file"], Ct));
    }

    [Fact]
    public async Task Every_backend_must_allow_and_any_one_can_ask_for_an_approval()
    {
        await using var host = PolicyTestHost.Create(configure: b => b.AddPolicyBackend<DenyWebBackend>().AddPolicyBackend<ApproveFilesBackend>());
        await using var turn = host.BeginTurn("222");

        var web = await host.Engine.AuthorizeToolCallAsync("web_search", cancellationToken: Ct);
        var files = await host.Engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
        var memory = await host.Engine.AuthorizeToolCallAsync("memory", cancellationToken: Ct);
        var exec = await host.Engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct);

        Assert.Equal(PolicyEffect.Deny, web.Effect);
        Assert.Equal(["web-closed"], web.RuleIds);
        Assert.Equal(PolicyEffect.RequireApproval, files.Effect);
        Assert.Equal(PolicyEffect.Allow, memory.Effect);
        Assert.Equal(["role:trusted/allow/tool.memory", "web-open", "fine"], memory.RuleIds);
        Assert.Equal(PolicyEffect.Deny, exec.Effect); // the built-in roles said no; the others cannot say yes
    }

    [Fact]
    public async Task With_no_backend_at_all_nothing_is_allowed()
    {
        using var folder = new TempDirectory("policy");
        var root = folder.Path;
        var services = new ServiceCollection();
        services.AddSingleton<IIdentitySnapshotProvider>(new SwappableSnapshots(IdentitySnapshot.Parse(PolicyTestHost.StandardYaml, root)));
        services.AddHermesIsolation(o => o.Root = root);
        services.RemoveAll<IPolicyBackend>();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<PolicyEngine>();
        var louis = provider.GetRequiredService<IIdentitySnapshotProvider>().Current.Profiles["louis"];

        var decision = await engine.EvaluateAsync(new PolicyRequest(louis, PolicyActions.MemoryRead), Ct);

        Assert.Equal(PolicyEffect.Deny, decision.Effect);
        Assert.NotEmpty(decision.Errors);
    }

    [Fact]
    public async Task The_same_tool_call_gives_the_same_decision_instance_on_the_allow_path()
    {
        await using var host = PolicyTestHost.Create();
        await using var turn = host.BeginTurn("222");

        var first = await host.Engine.AuthorizeToolCallAsync("read_file", "c1", "d1", Ct);
        var second = await host.Engine.AuthorizeToolCallAsync("read_file", "c2", "d2", Ct);

        Assert.Same(first, second);
        Assert.Equal(["role:trusted/allow/tool.files.*"], first.RuleIds);
    }

    [Theory]
    [InlineData(0, 15, "BackendTimeout")]
    [InlineData(2000, 0, "ApprovalLifetime")]
    [InlineData(600_000, 15, "BackendTimeout")]
    public void Policy_options_out_of_range_fail_validation_with_the_setting_named(int timeoutMs, int approvalMinutes, string named)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation().ConfigurePolicy(o =>
        {
            o.BackendTimeout = TimeSpan.FromMilliseconds(timeoutMs);
            o.ApprovalLifetime = TimeSpan.FromMinutes(approvalMinutes);
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PolicyOptions>>().Value);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inherits_chain_too_deep_to_compile_cheaply_is_refused_with_its_place()
    {
        var roles = string.Concat(Enumerable.Range(0, 20).Select(i => $"  r{i}:\n    inherits: {(i == 0 ? "trusted" : "r" + (i - 1))}\n"));
        var yaml = PolicyTestHost.StandardYaml + "\nroles:\n" + roles;

        var error = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(yaml, Path.GetTempPath()));

        Assert.Contains("more than 16 roles", error.Message, StringComparison.Ordinal);
        Assert.Contains("r19", error.Message, StringComparison.Ordinal);
    }
}
