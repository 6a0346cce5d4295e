using System.Reflection;
using System.Text.Json;
using Hermes.Identity.Audit;
using Hermes.Identity.Delegations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Hermes.Identity.Tests.Delegations;

// "A job created by Mei can never act as anyone else": no API takes another person's key, a delegated turn cannot start
// someone else's job or turn, sub-agents are bounded by their parent, a restart changes nothing, and the audit names the
// delegator and the job.
public sealed class ActingForOthersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void No_public_api_takes_a_profile_or_makes_a_delegation_by_hand()
    {
        Type[] surfaces = [typeof(DelegationRegistry), typeof(ITurnScopeFactory)];
        var parameters = surfaces.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetParameters().Select(p => (Method: m.Name, p.Name, p.ParameterType)))
            .Where(p => p.Method.Contains("Delegat", StringComparison.Ordinal) || p.Method is "CreateAsync" or "ListAsync" or "RevokeAsync")
            .ToList();
        Assert.NotEmpty(parameters);
        Assert.DoesNotContain(parameters, p => p.ParameterType == typeof(AgentProfile) || p.ParameterType == typeof(SenderEnvelope) || p.Name!.Contains("profile", StringComparison.OrdinalIgnoreCase));

        foreach (var type in new[] { typeof(Delegation), typeof(DelegationRegistry), typeof(DelegationRefusedException) })
        {
            Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
            Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly), p => Assert.Null(p.GetSetMethod(nonPublic: false)));
        }
    }

    [Fact]
    public async Task A_delegation_is_always_for_the_turn_that_created_it()
    {
        await using var host = new DelegationHost();
        var mine = await host.AsAsync(Identities.Louis, _ => host.Registry.CreateAsync("owner-report", cancellationToken: Ct));
        var meis = await host.MeiCreatesAsync("nightly-digest");
        Assert.Equal("louis", mine.ProfileKey);
        Assert.Equal("mei", meis.ProfileKey);

        Assert.Equal("mei", await host.RunJobAsync(meis.Id, turn => Task.FromResult(turn.Profile.Key)));
        Assert.Equal("louis", await host.RunJobAsync(mine.Id, turn => Task.FromResult(turn.Profile.Key)));
    }

    [Fact]
    public async Task A_job_asking_to_act_for_someone_else_is_refused_whatever_it_passes()
    {
        await using var host = new DelegationHost();
        var louis = await host.AsAsync(Identities.Louis, _ => host.Registry.CreateAsync("owner-report", cancellationToken: Ct));
        var sibling = await host.MeiCreatesAsync("other-job");
        var meis = await host.MeiCreatesAsync("nightly-digest");

        await host.RunJobAsync(meis.Id, async turn =>
        {
            // It learnt Louis's delegation id: it still cannot start Louis's job from its turn.
            var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Turns.RunDelegatedTurnAsync(louis.Id, _ => throw new InvalidOperationException("ran"), Ct));
            Assert.Contains("own profile", ex.Message, StringComparison.Ordinal);

            // Nor another of Mei's jobs that it did not create.
            await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Turns.RunDelegatedTurnAsync(sibling.Id, _ => throw new InvalidOperationException("ran"), Ct));

            // Nor begin a turn as Louis from his envelope: turns do not nest.
            Assert.Throws<InvalidOperationException>(() => host.Turns.BeginTurn(host.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", Identities.Louis), Ct).AsTask().Result));

            // Nor revoke Louis's, nor see it; and whatever it creates is Mei's.
            await Assert.ThrowsAsync<AccessDeniedException>(() => host.Registry.RevokeAsync(louis.Id, Ct));
            Assert.Empty(await host.Registry.ListAsync(Ct));
            var child = await host.Registry.CreateAsync("for-louis-please", cancellationToken: Ct);
            Assert.Equal("mei", child.ProfileKey);
            Assert.Equal("mei", turn.Profile.Key);
            return true;
        });

        Assert.Equal("louis", await host.RunJobAsync(louis.Id, turn => Task.FromResult(turn.Profile.Key))); // untouched
    }

    [Fact]
    public async Task A_sub_agent_is_bounded_by_its_parent_and_stops_with_it()
    {
        await using var host = new DelegationHost();
        var parent = await host.MeiCreatesAsync("research", ["tool.web.*", "memory.read"], TimeSpan.FromHours(2));

        var (child, inherited, childDecisions) = await host.RunJobAsync(parent.Id, async turn =>
        {
            var wider = await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Registry.CreateAsync("sub", ["tool.files.*"], cancellationToken: Ct));
            Assert.Contains("cannot reach further", wider.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Registry.CreateAsync("sub", ["*"], cancellationToken: Ct));

            var child = await host.Registry.CreateAsync("sub-search", ["tool.web.search"], TimeSpan.FromDays(7), Ct);
            var inherited = await host.Registry.CreateAsync("sub-all", cancellationToken: Ct);

            // The parent spawns the child and waits for it: the child's turn is its own, the parent's stays the parent's.
            var decisions = await host.RunJobAsync(child.Id, async sub =>
            {
                Assert.Equal(child.Id, host.Current.Turn.Delegation!.Id);
                return (await host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct),
                    await host.Policy.AuthorizeAsync(PolicyActions.MemoryRead, cancellationToken: Ct));
            });
            Assert.Same(turn.Context, host.Current.Turn);
            Assert.Equal(new[] { child.Id, inherited.Id }.Order(), (await host.Registry.ListAsync(Ct)).Select(d => d.Id).Order());
            return (child, inherited, decisions);
        });

        Assert.Equal(parent.ExpiresAt, child.ExpiresAt); // asked for 7 days, bounded by the parent's 2 hours
        Assert.Equal(parent.Id, child.ParentId);
        Assert.Equal("@delegation:" + parent.Id, child.CreatedBy);
        Assert.Equal(parent.Actions, inherited.Actions);
        Assert.True(childDecisions.Item1.IsAllowed, childDecisions.Item1.Reason);
        Assert.Equal(PolicyEffect.Deny, childDecisions.Item2.Effect); // the parent may read memory; this child was not given it

        // Revoking the parent stops the child.
        Assert.True(await host.AsAsync(Identities.Mei, _ => host.Registry.RevokeAsync(parent.Id, Ct)));
        var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Turns.RunDelegatedTurnAsync(child.Id, _ => Task.CompletedTask, Ct));
        Assert.Contains(parent.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("revoked", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sub_agent_expires_with_its_parent()
    {
        await using var host = new DelegationHost();
        var parent = await host.MeiCreatesAsync("research", lifetime: TimeSpan.FromHours(1));
        var child = await host.RunJobAsync(parent.Id, _ => host.Registry.CreateAsync("sub", cancellationToken: Ct));
        Assert.Equal(parent.ExpiresAt, child.ExpiresAt);

        host.Time.Advance(TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Turns.RunDelegatedTurnAsync(child.Id, _ => Task.CompletedTask, Ct));
    }

    [Fact]
    public async Task A_restart_between_create_and_run_changes_nothing()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest", ["tool.web.*"], TimeSpan.FromDays(1));

        await host.RestartAsync();

        var (key, web, files) = await host.RunJobAsync(delegation.Id, async turn =>
            (turn.Profile.Key,
             await host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct),
             await host.Policy.AuthorizeToolCallAsync("read_file", cancellationToken: Ct)));
        Assert.Equal("mei", key);
        Assert.True(web.IsAllowed, web.Reason);
        Assert.Equal(PolicyEffect.Deny, files.Effect);
        var listed = Assert.Single(await host.AsAsync(Identities.Mei, _ => host.Registry.ListAsync(Ct)));
        Assert.Equal(delegation.Id, listed.Id);
        Assert.Equal(delegation.ExpiresAt, listed.ExpiresAt);
        Assert.Equal(delegation.Actions, listed.Actions);
    }

    [Fact]
    public async Task Every_decision_of_a_job_is_audited_with_its_delegator_and_the_job()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest", ["tool.web.*"]);
        var turnId = await host.RunJobAsync(delegation.Id, async turn =>
        {
            await host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct);
            await host.Policy.AuthorizeToolCallAsync("read_file", cancellationToken: Ct);
            return turn.Context.TurnId;
        });
        await host.AsAsync(Identities.Mei, _ => host.Policy.AuthorizeToolCallAsync("web_search", cancellationToken: Ct).AsTask());

        var records = File.ReadAllLines(host.AuditFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var job = records.Where(r => r.TryGetProperty("delegation", out _)).ToList();
        Assert.Equal(2, job.Count);
        Assert.All(job, r =>
        {
            Assert.Equal("mei", r.GetProperty("profile").GetString());
            Assert.Equal(delegation.Id, r.GetProperty("delegation").GetString());
            Assert.Equal("nightly-digest", r.GetProperty("job").GetString());
            Assert.Equal("@delegation:" + delegation.Id, r.GetProperty("principal").GetString());
            Assert.Equal(turnId, r.GetProperty("turn").GetString());
        });
        Assert.Equal(["allow", "deny"], job.Select(r => r.GetProperty("effect").GetString()));
        Assert.Contains(records, r => r.GetProperty("principal").GetString() == "telegram:222" && !r.TryGetProperty("delegation", out _));
        var verification = DecisionLogVerifier.Verify(host.AuditFile);
        Assert.True(verification.IsIntact, string.Join("\n", verification.Problems));

        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, l => l.Id.Id == 1302 && l.Message.Contains("nightly-digest", StringComparison.Ordinal) && l.Message.Contains("mei", StringComparison.Ordinal));
        var allowed = Assert.Single(logs, l => l.Id.Id == 1305);
        var refused = Assert.Single(logs, l => l.Id.Id == 1306);
        Assert.All(new[] { allowed, refused }, l =>
        {
            Assert.Contains("job nightly-digest acting for mei", l.Message, StringComparison.Ordinal);
            Assert.Contains(delegation.Id, l.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_synthetic_sender_of_a_job_cannot_be_sent_or_configured()
    {
        Assert.Throws<ArgumentException>(() => new SenderEnvelope("@delegation", "dlg_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
        using var dir = new TempDirectory();
        var ex = Assert.Throws<IdentityConfigException>(() => IdentitySnapshot.Parse(
            "version: 1\nidentities:\n  eve:\n    role: owner\n    accounts: { \"@delegation\": dlg_aaaaaaaaaaaaaaaaaaaaaaaaaa }\n", dir.Path));
        Assert.Contains("@delegation", ex.Message, StringComparison.Ordinal);
    }
}
