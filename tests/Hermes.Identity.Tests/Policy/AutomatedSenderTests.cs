using Hermes.Identity.Policy;
using Hermes.Identity.Prompt;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Policy;

// Senders the transport flags as bots, webhooks or relays get no more than the guest role unless their identity's entry
// accepts them ('automated:'), on a real identities.yaml on disk loaded by AddHermesIsolation.
public sealed class AutomatedSenderTests
{
    // louis: owner, accepts nothing automated. ci: owner, accepts webhooks only. ops: owner, accepts every kind.
    // narrow: a role narrower than guest (memory only), to show the cap is an intersection and never widens a role.
    private const string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis: { role: owner, accounts: { telegram: "111" } }
          ci:
            role: owner
            accounts: { github: "ci-runner" }
            automated: [webhook]
          ops:
            role: owner
            accounts: { telegram: "555" }
            automated: true
          narrow: { role: memory-only, accounts: { telegram: "666" } }
        roles:
          memory-only:
            allow: [memory.read, tool.memory]
        """ + "\n" + Identities.Tools;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static PolicyEngine Engine(HermesHost host) => host.Services.GetRequiredService<PolicyEngine>();

    private static SenderEnvelope From(string platform, string userId, SenderKind kind, ChatKind chat = ChatKind.Direct) =>
        new(platform, userId, "c1", chat) { SenderKind = kind };

    [Theory]
    [InlineData(SenderKind.Bot)]
    [InlineData(SenderKind.Webhook)]
    [InlineData(SenderKind.Relay)]
    public async Task An_automated_sender_on_the_owners_account_gets_the_guests_rights(SenderKind kind)
    {
        await using var host = new HermesHost(Yaml);
        await using var turn = host.Begin(From("telegram", "111", kind));
        var engine = Engine(host);
        Assert.Equal("louis", turn.Context.Profile.Key);

        var exec = await engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct);
        Assert.Equal(PolicyEffect.Deny, exec.Effect);
        Assert.Contains("the sender is automated", exec.Reason, StringComparison.Ordinal);
        Assert.Contains("at most role guest's rights", exec.Reason, StringComparison.Ordinal);
        Assert.False((await engine.AuthorizeAsync(PolicyActions.SessionsReadAll, cancellationToken: Ct)).IsAllowed);
        Assert.False((await engine.AuthorizeAsync(PolicyActions.IdentityAdmin, cancellationToken: Ct)).IsAllowed);
        Assert.False((await engine.AuthorizeAsync(PolicyActions.MemorySharedWrite, cancellationToken: Ct)).IsAllowed);
        Assert.False((await engine.AuthorizeToolCallAsync("write_file", cancellationToken: Ct)).IsAllowed);
        Assert.False((await engine.AuthorizeToolCallAsync("unlisted_tool", cancellationToken: Ct)).IsAllowed);

        // What both owner and guest allow stays allowed, citing both.
        var read = await engine.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
        Assert.True(read.IsAllowed, read.Reason);
        Assert.Equal(["role:owner/allow/*", "role:guest/allow/tool.files.read"], read.RuleIds);

        // The guest role's workspace is confined, so the automated sender's is too.
        Assert.True(turn.Services.GetRequiredService<IWorkspace>().IsConfined);
    }

    [Fact]
    public async Task The_same_account_as_a_person_keeps_the_owners_rights()
    {
        await using var host = new HermesHost(Yaml);
        await using var turn = host.Begin(From("telegram", "111", SenderKind.Person));
        var engine = Engine(host);

        Assert.True((await engine.AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
        Assert.True((await engine.AuthorizeAsync(PolicyActions.SessionsReadAll, cancellationToken: Ct)).IsAllowed);
        Assert.False(turn.Services.GetRequiredService<IWorkspace>().IsConfined);
    }

    [Fact]
    public async Task An_identity_that_accepts_automated_senders_gets_its_full_role()
    {
        await using var host = new HermesHost(Yaml);

        foreach (var kind in new[] { SenderKind.Bot, SenderKind.Webhook, SenderKind.Relay })
        {
            await using var turn = host.Begin(From("telegram", "555", kind));
            Assert.True((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed, kind.ToString());
            Assert.True((await Engine(host).AuthorizeAsync(PolicyActions.SessionsReadAll, cancellationToken: Ct)).IsAllowed, kind.ToString());
            Assert.False(turn.Services.GetRequiredService<IWorkspace>().IsConfined);
        }
    }

    [Fact]
    public async Task Accepting_one_kind_does_not_accept_the_others()
    {
        await using var host = new HermesHost(Yaml);

        await using (host.Begin(From("github", "ci-runner", SenderKind.Webhook)))
        {
            Assert.True((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
        }

        await using (host.Begin(From("github", "ci-runner", SenderKind.Bot)))
        {
            Assert.False((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
        }
    }

    [Fact]
    public async Task The_cap_never_widens_a_role_narrower_than_guest()
    {
        await using var host = new HermesHost(Yaml);

        await using (host.Begin(From("telegram", "666", SenderKind.Bot)))
        {
            // guest allows reading files, but memory-only does not: both must allow.
            Assert.False((await Engine(host).AuthorizeToolCallAsync("read_file", cancellationToken: Ct)).IsAllowed);
            Assert.True((await Engine(host).AuthorizeToolCallAsync("memory", cancellationToken: Ct)).IsAllowed);
        }
    }

    [Fact]
    public async Task An_unknown_automated_sender_is_a_guest_as_any_unknown_sender_is()
    {
        await using var host = new HermesHost(Yaml);
        await using var turn = host.Begin(From("telegram", "999", SenderKind.Bot));

        Assert.True(turn.Context.Profile.IsGuest);
        Assert.True((await Engine(host).AuthorizeToolCallAsync("read_file", cancellationToken: Ct)).IsAllowed);
        Assert.False((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
        Assert.Contains((await Engine(host).ExplainToolCallAsync("read_file", Ct)).Steps, s => s.Contains("a guest, so it has role guest's rights anyway", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_explanation_says_the_sender_is_automated_and_capped()
    {
        await using var host = new HermesHost(Yaml);
        await using var turn = host.Begin(From("telegram", "111", SenderKind.Bot, ChatKind.Group));

        var explanation = await Engine(host).ExplainToolCallAsync("terminal", Ct);

        Assert.Equal(PolicyEffect.Deny, explanation.Decision.Effect);
        Assert.Contains("Sender: telegram:111, flagged by the platform as automated (bot), in a group. Profile louis does not accept bot senders ('automated:' in identities.yaml), so its rights are capped at role guest's: only what both allow.", explanation.Steps);
        Assert.Contains("Its own rules allow tool.exec, but role guest's do not, and an automated sender gets only what both allow.", explanation.Steps);
    }

    [Fact]
    public async Task The_identity_prompt_says_the_sender_is_automated()
    {
        await using var host = new HermesHost(Yaml);

        await using (var bot = host.Begin(From("telegram", "111", SenderKind.Webhook)))
        {
            var block = IdentityPrompt.Render(bot.Context);
            Assert.Contains("- sender kind: automated (webhook), as the platform flags it: a program, not a person typing", block, StringComparison.Ordinal);
            Assert.Contains("The sender is automated", block, StringComparison.Ordinal);
        }

        await using (var person = host.Begin(From("telegram", "111", SenderKind.Person)))
        {
            Assert.DoesNotContain("automated", IdentityPrompt.Render(person.Context), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_audit_file_records_the_sender_kind()
    {
        await using var host = new HermesHost(Yaml, isolation: b => b.ConfigurePolicy(o => o.WriteAuditFile = true));
        await using (host.Begin(From("telegram", "111", SenderKind.Relay)))
        {
            await Engine(host).AuthorizeToolCallAsync("terminal", "call-1", new string('0', 64), Ct);
        }

        await using (host.Begin(From("telegram", "111", SenderKind.Person)))
        {
            await Engine(host).AuthorizeToolCallAsync("terminal", "call-2", new string('0', 64), Ct);
        }

        await host.Services.DisposeAsync(); // flushes and closes the audit file
        var lines = File.ReadAllLines(Path.Combine(host.Root, "audit", "decisions.jsonl"));
        Assert.Contains(lines, l => l.Contains("\"tool_call_id\":\"call-1\"", StringComparison.Ordinal) && l.Contains("\"sender_kind\":\"relay\"", StringComparison.Ordinal) && l.Contains("\"effect\":\"deny\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"tool_call_id\":\"call-2\"", StringComparison.Ordinal) && !l.Contains("sender_kind", StringComparison.Ordinal) && l.Contains("\"effect\":\"allow\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reload_that_accepts_or_stops_accepting_applies_to_the_turn_in_progress()
    {
        await using var host = new HermesHost(Yaml);
        var provider = (Hermes.Identity.Configuration.YamlIdentitySnapshotProvider)host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        await using var turn = host.Begin(From("telegram", "111", SenderKind.Bot));
        Assert.False((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);

        var accepting = Yaml.Replace("louis: { role: owner, accounts: { telegram: \"111\" } }", "louis: { role: owner, accounts: { telegram: \"111\" }, automated: [bot] }", StringComparison.Ordinal);
        host.Folder.Write("identities.yaml", accepting);
        await Configuration.ReloadProbe.WaitForRevisionAsync(provider, Configuration.ReloadProbe.RevisionOf(accepting, host.Root), "accepting bots");
        Assert.True((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);

        host.Folder.Write("identities.yaml", Yaml);
        await Configuration.ReloadProbe.WaitForRevisionAsync(provider, Configuration.ReloadProbe.RevisionOf(Yaml, host.Root), "no longer accepting bots");
        Assert.False((await Engine(host).AuthorizeToolCallAsync("terminal", cancellationToken: Ct)).IsAllowed);
    }

    [Fact]
    public void The_envelope_is_a_person_unless_told_and_refuses_an_undefined_kind()
    {
        Assert.Equal(SenderKind.Person, new SenderEnvelope("telegram", "1").SenderKind);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SenderEnvelope("telegram", "1") { SenderKind = (SenderKind)9 });
    }
}
