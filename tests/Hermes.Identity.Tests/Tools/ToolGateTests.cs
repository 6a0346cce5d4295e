using Hermes.Identity.Memory;
using Hermes.Identity.TestSupport;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Tools;

// The public gate every adapter uses: decide a call, offer exactly the allowed tools, run with the turn's services.
public sealed class ToolGateTests
{
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
        roles:
          trusted:
            allow: [tool.files.*, tool.web.*, tool.mail.send]
            require_approval: [tool.mail.send]
        tools:
          terminal: exec
          read_file: files.read
          web_search: web.search
          Shell.terminal: exec
          Files.delete: files.write
          Mail.send: mail.send
        """;

    private static readonly string[] ToolNames =
        ["terminal", "read_file", "web_search", "Shell.terminal", "Shell_terminal", "Shell-terminal", "Files.delete", "Files_delete", "delete", "Mail_send", "made_up"];

    [Fact]
    public async Task Outside_a_turn_every_call_is_refused_and_every_tool_hidden()
    {
        await using var host = new HermesHost(Yaml);
        var gate = host.Services.GetRequiredService<ToolGate>();

        var verdict = await gate.DecideCallAsync("read_file", "call-1", null);

        Assert.False(verdict.MayRun);
        Assert.Null(verdict.Services);
        Assert.Contains("did not run", verdict.RefusalText, StringComparison.Ordinal);
        Assert.Equal(ToolVisibility.Hidden, await gate.GetVisibilityAsync("read_file"));
        Assert.Null(gate.CurrentTurn);
    }

    [Theory]
    [InlineData("111")]
    [InlineData("222")]
    [InlineData("999")] // a guest
    public async Task The_tools_offered_are_exactly_the_tools_a_call_may_use(string userId)
    {
        await using var host = new HermesHost(Yaml, isolation: b => b.AddSqliteState());
        var gate = host.Services.GetRequiredService<ToolGate>();
        await using var turn = host.Begin("telegram", userId);

        foreach (var name in ToolNames)
        {
            var visibility = await gate.GetVisibilityAsync(name);
            var verdict = await gate.DecideCallAsync(name, "call-" + name, null);
            Assert.Equal(visibility == ToolVisibility.Offered, verdict.MayRun);
            Assert.Equal(visibility == ToolVisibility.OfferedWithApproval, verdict.Decision.Effect == PolicyEffect.RequireApproval);
        }
    }

    [Fact]
    public async Task An_allowed_call_runs_with_the_callers_own_services()
    {
        await using var host = new HermesHost(Yaml);
        var gate = host.Services.GetRequiredService<ToolGate>();
        await using var turn = host.Begin("telegram", "222");

        var verdict = await gate.DecideCallAsync("read_file", "call-1", new Dictionary<string, object?> { ["path"] = "a.md" });

        Assert.True(verdict.MayRun);
        Assert.Null(verdict.RefusalText);
        Assert.Same(turn.Services, verdict.Services);
        Assert.Same(turn.Services.GetRequiredService<IMemoryStore>(), verdict.Services!.GetRequiredService<IMemoryStore>());
    }

    [Fact]
    public async Task A_refusal_says_which_tool_and_why()
    {
        await using var host = new HermesHost(Yaml);
        var gate = host.Services.GetRequiredService<ToolGate>();
        await using var turn = host.Begin("telegram", "222");

        var verdict = await gate.DecideCallAsync("terminal", "call-1", null);

        Assert.False(verdict.MayRun);
        Assert.Equal(PolicyEffect.Deny, verdict.Decision.Effect);
        Assert.StartsWith("Refused: the tool 'terminal' did not run.", verdict.RefusalText, StringComparison.Ordinal);
        Assert.Contains(verdict.Decision.Reason, verdict.RefusalText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Shell.terminal")]
    [InlineData("Shell_terminal")] // Semantic Kernel's spelling on the wire
    [InlineData("Shell-terminal")] // older Semantic Kernel
    public async Task A_qualified_entry_answers_to_every_spelling_of_its_name(string name)
    {
        await using var host = new HermesHost(Yaml);
        var gate = host.Services.GetRequiredService<ToolGate>();
        await using var turn = host.Begin("telegram", "222");

        var verdict = await gate.DecideCallAsync(name, "call-1", null);

        Assert.Equal(PolicyEffect.Deny, verdict.Decision.Effect);
        Assert.Contains("tool.exec", verdict.Decision.Reason, StringComparison.Ordinal); // the category, not "unlisted"
    }

    [Fact]
    public async Task A_bare_entry_never_answers_for_another_plugins_function_of_the_same_name()
    {
        // "terminal" is listed bare and Mei may not use exec; "Other_terminal" is some other plugin's function: unlisted,
        // owner only, whatever the bare entry says.
        await using var host = new HermesHost(Yaml);
        var gate = host.Services.GetRequiredService<ToolGate>();

        await using (host.Begin("telegram", "222"))
        {
            Assert.Equal(ToolVisibility.Offered, await gate.GetVisibilityAsync("Files_delete"));
            Assert.Equal(ToolVisibility.Hidden, await gate.GetVisibilityAsync("delete"));
            Assert.Equal(ToolVisibility.Hidden, await gate.GetVisibilityAsync("Other_delete"));
        }
    }

    [Fact]
    public async Task A_call_needing_approval_is_refused_with_its_request_and_runs_once_after_approval()
    {
        await using var host = new HermesHost(Yaml, isolation: b => b.AddSqliteState());
        var gate = host.Services.GetRequiredService<ToolGate>();
        var arguments = new Dictionary<string, object?> { ["to"] = "ada@example.com", ["body"] = "hi" };

        string id;
        await using (host.Begin("telegram", "222", chatId: "c1"))
        {
            var first = await gate.DecideCallAsync("Mail_send", "call-1", arguments);
            Assert.False(first.MayRun);
            Assert.NotNull(first.Approval);
            Assert.Contains(first.Approval!.Id, first.RefusalText, StringComparison.Ordinal);
            id = first.Approval.Id;
        }

        await using (host.Begin("telegram", "111"))
        {
            var approvals = host.Services.GetRequiredService<Hermes.Identity.Approvals.Approvals>();
            Assert.True((await approvals.ApproveAsync(id)).IsAllowed);
        }

        await using (host.Begin("telegram", "222", chatId: "c1"))
        {
            var reordered = new Dictionary<string, object?> { ["body"] = "hi", ["to"] = "ada@example.com" }; // same arguments, other order
            Assert.True((await gate.DecideCallAsync("Mail_send", "call-1", reordered)).MayRun);
            Assert.False((await gate.DecideCallAsync("Mail_send", "call-1", reordered)).MayRun);
        }
    }

    [Fact]
    public void A_spelling_listed_again_with_another_category_is_a_configuration_error()
    {
        const string yaml = """
            version: 1
            identities:
              louis:
                role: owner
                accounts: { telegram: "111" }
            tools:
              Shell.terminal: exec
              Shell_terminal: files.read
            """;

        var error = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(yaml, "/srv/hermes"));
        var problem = Assert.Single(error.Errors);
        Assert.Contains("Shell_terminal", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line > 0);
    }
}
