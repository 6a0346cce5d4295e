using Hermes.Identity.Delegations;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Delegations;

// When a delegation cannot be used, no turn begins and the body never runs: removed delegator, expiry, revocation,
// an unknown id, a record edited in the store; and who may revoke.
public sealed class DelegationRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_Mei_was_removed_her_job_is_refused_and_runs_nothing()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");

        host.Reload(Identities.Story.Replace("  mei:\n    display_name: Mei\n    role: trusted\n    accounts: { telegram: \"222\" }\n", string.Empty, StringComparison.Ordinal));

        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("no longer in the identity configuration", ex.Message, StringComparison.Ordinal);
        Assert.Equal(delegation.Id, ex.DelegationId);
    }

    [Fact]
    public async Task A_guest_who_took_Meis_account_gets_nothing_from_her_job()
    {
        // Mei's entry is removed and her telegram account now falls to the guest policy: the job is still refused, not
        // run for the guest who now sends from that account.
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        host.Reload(Identities.Story.Replace("  mei:\n    display_name: Mei\n    role: trusted\n    accounts: { telegram: \"222\" }\n", string.Empty, StringComparison.Ordinal));
        var now = await host.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", Identities.Mei), Ct);
        Assert.True(now.Profile!.IsGuest);

        await RefusedAsync(host, delegation.Id);
    }

    [Fact]
    public async Task An_expired_delegation_is_refused()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("one-hour-task", lifetime: TimeSpan.FromHours(1));
        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromHours(1), delegation.ExpiresAt);
        Assert.True(await host.RunJobAsync(delegation.Id, _ => Task.FromResult(true)));

        host.Time.Advance(TimeSpan.FromHours(1));

        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("expired", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.AsAsync(Identities.Mei, _ => host.Registry.ListAsync(Ct)));
    }

    [Fact]
    public async Task A_revoked_delegation_is_refused_and_revoking_twice_says_so()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        Assert.Equal([delegation.Id], (await host.AsAsync(Identities.Mei, _ => host.Registry.ListAsync(Ct))).Select(d => d.Id));

        Assert.True(await host.AsAsync(Identities.Mei, _ => host.Registry.RevokeAsync(delegation.Id, Ct)));
        Assert.False(await host.AsAsync(Identities.Mei, _ => host.Registry.RevokeAsync(delegation.Id, Ct)));

        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("revoked by mei", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await host.AsAsync(Identities.Mei, _ => host.Registry.ListAsync(Ct)));
    }

    [Fact]
    public async Task Only_its_delegator_or_an_identity_admin_may_revoke_a_delegation()
    {
        await using var host = new DelegationHost(Identities.Household(Identities.Person("june", "trusted", "333")));
        var delegation = await host.MeiCreatesAsync("nightly-digest");

        var refused = await host.AsAsync("333", _ => Assert.ThrowsAsync<AccessDeniedException>(() => host.Registry.RevokeAsync(delegation.Id, Ct)));
        Assert.Equal(PolicyActions.IdentityAdmin, refused.Action);
        Assert.Empty(await host.AsAsync("333", _ => host.Registry.ListAsync(Ct))); // June does not see Mei's
        Assert.True(await host.RunJobAsync(delegation.Id, _ => Task.FromResult(true)));

        Assert.True(await host.AsAsync(Identities.Louis, _ => host.Registry.RevokeAsync(delegation.Id, Ct))); // the owner holds identity.admin
        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("revoked by louis", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dlg_aaaaaaaaaaaaaaaaaaaaaaaaaa")] // well formed, never created
    [InlineData("not-an-id")]
    [InlineData("dlg_AAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public async Task An_unknown_or_malformed_id_is_refused(string id)
    {
        await using var host = new DelegationHost();
        await host.MeiCreatesAsync("nightly-digest");
        await RefusedAsync(host, id);
    }

    [Theory]
    [InlineData("\"profile\":\"mei\"", "\"profile\":\"louis\"")]       // act for the owner instead
    [InlineData("\"actions\":[\"tool.web.*\"]", "\"actions\":null")]  // widen the actions
    [InlineData("\"job\":\"web-digest\"", "\"job\":\"other\"")]       // any value at all
    public async Task A_record_edited_in_the_store_is_refused(string from, string to)
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("web-digest", ["tool.web.*"], TimeSpan.FromDays(1));
        var record = (await host.Store.GetAsync("delegation", delegation.Id, Ct))!;
        Assert.Contains(from, record.Data, StringComparison.Ordinal);
        Assert.True(await host.Store.TryCommitAsync([StateChange.Put("delegation", delegation.Id, record.Data.Replace(from, to, StringComparison.Ordinal), record.Version, record.ExpiresAt)], Ct));

        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("seal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_copied_under_another_id_is_refused()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        var record = (await host.Store.GetAsync("delegation", delegation.Id, Ct))!;
        const string copy = "dlg_bbbbbbbbbbbbbbbbbbbbbbbbbb";
        Assert.True(await host.Store.TryCommitAsync([StateChange.Put("delegation", copy, record.Data, 0)], Ct));

        await RefusedAsync(host, copy);
    }

    [Fact]
    public async Task A_replaced_delegation_key_invalidates_every_delegation()
    {
        await using var host = new DelegationHost();
        var delegation = await host.MeiCreatesAsync("nightly-digest");
        var key = Path.Combine(host.Root, "state", "delegation.key");
        Assert.True(File.Exists(key));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        await host.RestartAsync(); // the key is read once per process
        File.WriteAllText(key, new string('0', 64));

        var ex = await RefusedAsync(host, delegation.Id);
        Assert.Contains("seal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_state_store_delegations_say_what_to_register()
    {
        await using var host = new DelegationHost(withStore: false);
        var create = await host.AsAsync(Identities.Mei, _ => Assert.ThrowsAsync<InvalidOperationException>(() => host.Registry.CreateAsync("nightly", cancellationToken: Ct)));
        Assert.Contains("call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore", create.Message, StringComparison.Ordinal);
        var run = await Assert.ThrowsAsync<InvalidOperationException>(() => host.Turns.RunDelegatedTurnAsync("dlg_aaaaaaaaaaaaaaaaaaaaaaaaaa", _ => Task.CompletedTask, Ct));
        Assert.Contains("AddSqliteState()", run.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_needs_a_turn_and_a_guest_cannot_delegate()
    {
        await using var host = new DelegationHost();
        await Assert.ThrowsAsync<NoActiveTurnException>(() => host.Registry.CreateAsync("nightly", cancellationToken: Ct));
        await Assert.ThrowsAsync<NoActiveTurnException>(() => host.Registry.ListAsync(Ct));
        await host.AsAsync("999", _ => Assert.ThrowsAsync<DelegationRefusedException>(() => host.Registry.CreateAsync("nightly", cancellationToken: Ct)));
    }

    [Theory]
    [InlineData("(none)")]
    [InlineData("Tool.Web")]
    [InlineData("tool..web")]
    [InlineData("tool.*.search")]
    [InlineData("")]
    [InlineData("tool.web.*|*|memory read")]
    public async Task Malformed_action_patterns_are_refused(string patterns)
    {
        string[] actions = patterns == "(none)" ? [] : patterns.Split('|');
        await using var host = new DelegationHost();
        await host.AsAsync(Identities.Mei, _ => Assert.ThrowsAsync<ArgumentException>(() => host.Registry.CreateAsync("nightly", actions, cancellationToken: Ct)));
    }

    [Fact]
    public async Task A_person_has_at_most_the_cap_of_live_delegations()
    {
        await using var host = new DelegationHost();
        await host.AsAsync(Identities.Mei, async _ =>
        {
            for (var i = 0; i < DelegationRegistry.MaxLivePerProfile; i++)
            {
                await host.Registry.CreateAsync("job-" + i, cancellationToken: Ct);
            }

            var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Registry.CreateAsync("one-too-many", cancellationToken: Ct));
            Assert.Contains("Revoke some", ex.Message, StringComparison.Ordinal);
            return true;
        });
    }

    private static async Task<DelegationRefusedException> RefusedAsync(DelegationHost host, string id)
    {
        var ran = false;
        var ex = await Assert.ThrowsAsync<DelegationRefusedException>(() => host.Turns.RunDelegatedTurnAsync(id, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }, Ct));
        Assert.False(ran);
        Assert.False(host.Current.IsInTurn);
        return ex;
    }
}
