using Hermes.Identity.Memory;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Delegations;

// A night job runs for Mei with her rights as configured when it runs, within what the delegation allows, and never
// more: against the real SQLite state store and the real data root.
public sealed class DelegatedRightsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_night_job_runs_for_Mei_with_her_rights_and_cannot_exceed_them()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        Assert.Equal("mei", delegation.ProfileKey);
        Assert.Null(delegation.Actions);
        Assert.StartsWith("dlg_", delegation.Id, StringComparison.Ordinal);
        Assert.Equal("telegram:222", delegation.CreatedBy);

        host.Time.Advance(TimeSpan.FromHours(6)); // the night
        var (profile, sender, web, exec, admin) = await host.RunJobAsync(delegation.Id, async turn =>
        {
            Assert.Same(turn.Context, host.Current.Turn);
            Assert.Equal(delegation.Id, turn.Context.Delegation!.Id);
            return (turn.Profile, turn.Context.Sender,
                await host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct),
                await host.Policy.AuthorizeToolCallAsync("terminal", cancellationToken: Ct),
                await host.Policy.AuthorizeAsync(PolicyActions.IdentityAdmin, cancellationToken: Ct));
        });

        Assert.Equal("mei", profile.Key);
        Assert.Equal("trusted", profile.Role);
        Assert.Equal("@delegation", sender.Platform);
        Assert.Equal(delegation.Id, sender.UserId);
        Assert.True(web.IsAllowed, web.Reason);
        Assert.Equal(PolicyEffect.Deny, exec.Effect); // tool.exec: trusted does not hold it, so her job does not either
        Assert.Equal(PolicyEffect.Deny, admin.Effect);
        Assert.False(host.Current.IsInTurn);
    }

    [Fact]
    public async Task A_narrowed_delegation_denies_what_it_does_not_cover_even_when_Mei_holds_it()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("web-digest", ["tool.web.*", "memory.read"]);
        Assert.Equal(["tool.web.*", "memory.read"], delegation.Actions);

        var (web, files, read, write, memoryWrite) = await host.RunJobAsync(delegation.Id, async turn =>
        {
            var memory = turn.Services.GetRequiredService<IMemoryStore>();
            var refused = await Assert.ThrowsAsync<AccessDeniedException>(() => memory.AddAsync(MemoryFile.Notes, "the job was here", Ct).AsTask());
            return (await host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct),
                await host.Policy.AuthorizeToolCallAsync("read_file", cancellationToken: Ct),
                await host.Policy.AuthorizeAsync(PolicyActions.MemoryRead, cancellationToken: Ct),
                await host.Policy.AuthorizeAsync(PolicyActions.MemoryWrite, cancellationToken: Ct),
                refused);
        });

        Assert.True(web.IsAllowed, web.Reason);
        Assert.True(read.IsAllowed, read.Reason);
        Assert.Equal(PolicyEffect.Deny, files.Effect); // Mei may read files; this job may not
        Assert.Contains(delegation.Id[..10] + "…", files.Reason, StringComparison.Ordinal); // the model reads reasons: a short id only
        Assert.DoesNotContain(delegation.Id, files.Reason, StringComparison.Ordinal);
        Assert.Contains("web-digest", files.Reason, StringComparison.Ordinal);
        Assert.Contains("delegation:" + delegation.Id, files.RuleIds);
        Assert.Equal(PolicyEffect.Deny, write.Effect);
        Assert.Equal(PolicyActions.MemoryWrite, memoryWrite.Action);
        Assert.False(File.Exists(Path.Combine(host.Root, "memories", "mei", "MEMORY.md")));

        // Mei herself, in her own turn, still may.
        var own = await host.AsAsync(Identities.Mei, _ => host.Policy.AuthorizeToolCallAsync("read_file", cancellationToken: Ct).AsTask());
        Assert.True(own.IsAllowed, own.Reason);
    }

    [Fact]
    public async Task The_tools_offered_to_a_job_are_what_both_Mei_and_the_delegation_allow()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("web-digest", ["tool.web.*", "tool.exec"]);

        var visible = await host.RunJobAsync(delegation.Id, _ =>
            host.Policy.GetVisibleToolsAsync(["web_search", "read_file", "terminal", "memory"], Ct).AsTask());

        Assert.Equal(["web_search"], visible); // terminal: covered, but Mei lacks exec; read_file, memory: Mei holds them, not covered
    }

    [Fact]
    public async Task Approving_and_administering_identities_are_never_delegated_even_by_the_owner_for_everything()
    {
        await using var host = new DelegationHost();
        var delegation = await host.AsAsync(Identities.Louis, _ => host.Registry.CreateAsync("owner-chores", ["*"], cancellationToken: Ct));

        var (exec, grant, admin) = await host.RunJobAsync(delegation.Id, async _ =>
            (await host.Policy.AuthorizeToolCallAsync("terminal", cancellationToken: Ct),
             await host.Policy.AuthorizeAsync(PolicyActions.ApprovalGrant, cancellationToken: Ct),
             await host.Policy.AuthorizeAsync(PolicyActions.IdentityAdmin, cancellationToken: Ct)));

        Assert.True(exec.IsAllowed, exec.Reason); // the owner's job holds the owner's tools
        Assert.Equal(PolicyEffect.Deny, grant.Effect);
        Assert.Contains("never delegated", grant.Reason, StringComparison.Ordinal);
        Assert.Equal(PolicyEffect.Deny, admin.Effect);

        // So a job of the owner's cannot revoke Mei's delegations either.
        var meis = await host.MeiCreatesAsync("nightly-digest");
        await host.RunJobAsync(delegation.Id, _ => Assert.ThrowsAsync<AccessDeniedException>(() => host.Registry.RevokeAsync(meis.Id, Ct)));
    }

    [Fact]
    public async Task A_delegation_run_after_Mei_was_demoted_has_her_lower_rights()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        var before = await host.RunJobAsync(delegation.Id, _ => host.Policy.AuthorizeToolCallAsync("write_file", cancellationToken: Ct).AsTask());
        Assert.True(before.IsAllowed, before.Reason);

        host.Reload(Identities.Story.Replace("    display_name: Mei\n    role: trusted", "    display_name: Mei\n    role: guest", StringComparison.Ordinal));

        var (role, after) = await host.RunJobAsync(delegation.Id, async turn =>
            (turn.Profile.Role, await host.Policy.AuthorizeToolCallAsync("write_file", cancellationToken: Ct)));
        Assert.Equal("guest", role);
        Assert.Equal(PolicyEffect.Deny, after.Effect);
    }

    [Fact]
    public async Task A_demotion_during_a_job_applies_to_its_next_decision()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");

        var (first, second) = await host.RunJobAsync(delegation.Id, async _ =>
        {
            var a = await host.Policy.AuthorizeToolCallAsync("write_file", cancellationToken: Ct);
            host.Reload(Identities.Story.Replace("    display_name: Mei\n    role: trusted", "    display_name: Mei\n    role: guest", StringComparison.Ordinal));
            return (a, await host.Policy.AuthorizeToolCallAsync("write_file", cancellationToken: Ct));
        });

        Assert.True(first.IsAllowed, first.Reason);
        Assert.Equal(PolicyEffect.Deny, second.Effect);
    }

    [Fact]
    public async Task A_job_never_waits_for_an_approval_it_is_denied_naming_the_delegation()
    {
        await using var host = new DelegationHost(Identities.Story.Replace("    display_name: Mei\n    role: trusted", "    display_name: Mei\n    role: operator", StringComparison.Ordinal)
            .Replace("roles:\n", "roles:\n  operator:\n    inherits: trusted\n    allow: [tool.exec]\n    require_approval: [tool.exec]\n", StringComparison.Ordinal));
        var own = await host.AsAsync(Identities.Mei, _ => host.Policy.AuthorizeToolCallAsync("terminal", "call-1", new string('a', 64), Ct).AsTask());
        Assert.Equal(PolicyEffect.RequireApproval, own.Effect); // in her own turn she may ask

        var delegation = await host.MeiCreatesAsync("nightly-digest");
        var job = await host.RunJobAsync(delegation.Id, _ => host.Policy.AuthorizeToolCallAsync("terminal", "call-1", new string('a', 64), Ct).AsTask());

        Assert.Equal(PolicyEffect.Deny, job.Effect);
        Assert.Null(job.Approval);
        Assert.Contains(delegation.Id[..10] + "…", job.Reason, StringComparison.Ordinal);
        Assert.Contains("delegation:" + delegation.Id, job.RuleIds);
        Assert.Contains("approval", job.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_jobs_services_are_Meis_memory_and_workspace()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");

        await host.RunJobAsync(delegation.Id, async turn =>
        {
            await turn.Services.GetRequiredService<IMemoryStore>().AddAsync(MemoryFile.Notes, "Digest sent at night.", Ct);
            await turn.Services.GetRequiredService<IWorkspace>().WriteAllTextAsync("digest.md", "# Tonight", cancellationToken: Ct);
            return true;
        });

        Assert.Contains("Digest sent at night.", await File.ReadAllTextAsync(Path.Combine(host.Root, "memories", "mei", "MEMORY.md"), Ct), StringComparison.Ordinal);
        Assert.Equal("# Tonight", await File.ReadAllTextAsync(Path.Combine(host.Root, "workspaces", "mei", "digest.md"), Ct));
        Assert.False(Directory.Exists(Path.Combine(host.Root, "memories", "louis")));
        Assert.False(Directory.Exists(Path.Combine(host.Root, "workspaces", "louis")));
    }

    [Fact]
    public async Task Profile_bound_services_of_a_delegated_turn_refuse_once_it_has_ended()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        IMemoryStore? memory = null;
        IWorkspace? workspace = null;
        TurnScope? kept = null;

        await host.RunJobAsync(delegation.Id, async turn =>
        {
            kept = turn;
            memory = turn.Services.GetRequiredService<IMemoryStore>();
            workspace = turn.Services.GetRequiredService<IWorkspace>();
            await memory.ReadAsync(Ct);
            await workspace.ListAsync(cancellationToken: Ct);
            return true;
        });

        await Assert.ThrowsAsync<NoActiveTurnException>(() => memory!.ReadAsync(Ct).AsTask());
        await Assert.ThrowsAsync<NoActiveTurnException>(() => workspace!.ListAsync(cancellationToken: Ct).AsTask());
        Assert.Throws<NoActiveTurnException>(() => kept!.Services);

        // Nor in Louis's turn.
        await host.AsAsync(Identities.Louis, async _ =>
        {
            await Assert.ThrowsAsync<NoActiveTurnException>(() => memory!.ReadAsync(Ct).AsTask());
            return true;
        });
    }

    [Fact]
    public async Task The_identity_prompt_says_a_job_acts_for_Mei()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest", ["tool.web.*"]);

        var block = await host.RunJobAsync(delegation.Id, turn => Task.FromResult(Prompt.IdentityPrompt.Render(turn.Context)));

        Assert.Contains("job: \"nightly-digest\"", block, StringComparison.Ordinal);
        Assert.Contains("acting for profile: mei", block, StringComparison.Ordinal);
        Assert.Contains(delegation.Id[..10] + "…, limited to tool.web.*", block, StringComparison.Ordinal);
        Assert.DoesNotContain(delegation.Id, block, StringComparison.Ordinal); // the whole id never reaches the model
        Assert.DoesNotContain("platform account", block, StringComparison.Ordinal);
    }
}
