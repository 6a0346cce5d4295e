namespace Hermes.Identity.Tests.Pairing;

// SECURITY.md, "Between messages", pairing: guessed codes, floods of requests, expired or used codes, a code sent with
// another platform, approval without identity.admin, pairing that would grant owner. Each refused, counted, logged.
public sealed class PairingAbuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_guessed_codes_lock_approval_on_that_platform_for_an_hour_even_for_the_right_code()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");
        foreach (var guess in new[] { "AAAAAAAA", "CCCCCCCC", "not a code", "DDDDDDDD" })
        {
            var wrong = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", guess, "guest", "alex", Ct)));
            Assert.Equal(PairingRefusal.UnknownCode, wrong.Reason);
        }

        var fifth = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", "EEEEEEEE", "guest", "alex", Ct)));
        Assert.Contains("locked until", fifth.Message, StringComparison.Ordinal);
        var locked = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct)));
        Assert.Equal(PairingRefusal.Locked, locked.Reason);
        Assert.Equal(5, host.RefusalsOf("unknown_code"));
        Assert.Equal(1, host.RefusalsOf("locked"));
        Assert.Contains(host.Logs, l => l.Id.Id == 1105);

        // Another platform is not locked by telegram's failures.
        var discord = await host.CodeForAsync("31337", platform: "discord");
        await host.AsLouisAsync(p => p.ApproveAsync("discord", discord, "guest", "dee", Ct));

        // An hour later the lock is over (the code has expired meanwhile: the stranger asks again).
        host.Time.Advance(TimeSpan.FromHours(1));
        var fresh = await host.CodeForAsync("999");
        Assert.NotEqual(code, fresh);
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", fresh, "guest", "alex", Ct));
        Assert.True((await host.ResolveAsync("telegram", "999")).IsAdmitted);
    }

    [Fact]
    public async Task A_sender_asking_again_gets_the_same_code_and_never_a_second_one()
    {
        await using var host = new PairingHost();
        var first = await host.ResolveAsync("telegram", "999");
        host.Time.Advance(TimeSpan.FromMinutes(15)); // past the request window: still the same pending code
        var second = await host.ResolveAsync("telegram", "999");
        Assert.Equal(first.PairingRequest!.Code, second.PairingRequest!.Code);
        Assert.True(first.PairingRequest.IsNew);
        Assert.False(second.PairingRequest.IsNew);

        // Denied: within 10 minutes of their last code they get nothing, then a new code.
        await host.AsLouisAsync(p => p.DenyAsync("telegram", first.PairingRequest.Code, Ct));
        var all = await host.AsLouisAsync(p => p.ListPendingAsync(cancellationToken: Ct));
        Assert.Empty(all);

        var host2 = new PairingHost(pairing: o => o.RequestInterval = TimeSpan.FromMinutes(30));
        await using (host2)
        {
            var code = await host2.CodeForAsync("999");
            await host2.AsLouisAsync(p => p.DenyAsync("telegram", code, Ct));
            var soon = await host2.ResolveAsync("telegram", "999");
            Assert.Null(soon.PairingRequest);
            Assert.Contains("less than 30 minutes ago", soon.RejectionReason, StringComparison.Ordinal);
            Assert.Equal(1, host2.RefusalsOf("rate_limited"));
            host2.Time.Advance(TimeSpan.FromMinutes(30));
            var later = await host2.ResolveAsync("telegram", "999");
            Assert.NotNull(later.PairingRequest);
            Assert.NotEqual(code, later.PairingRequest.Code);
        }
    }

    [Fact]
    public async Task At_most_three_codes_are_pending_per_platform()
    {
        await using var host = new PairingHost();
        for (var i = 0; i < 3; i++)
        {
            await host.CodeForAsync("90" + i);
        }

        var fourth = await host.ResolveAsync("telegram", "904");
        Assert.Null(fourth.PairingRequest);
        Assert.Contains("Too many people are waiting", fourth.RejectionReason, StringComparison.Ordinal);
        Assert.Equal(1, host.RefusalsOf("full"));
        await host.CodeForAsync("905", platform: "discord"); // the cap is per platform

        // Once one is approved, there is room again.
        var pending = await host.AsLouisAsync(p => p.ListPendingAsync("telegram", Ct));
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", pending[0].Code, "guest", "first", Ct));
        await host.CodeForAsync("904");
    }

    [Fact]
    public async Task Senders_in_groups_and_channels_get_no_code()
    {
        await using var host = new PairingHost();
        foreach (var kind in new[] { ChatKind.Group, ChatKind.Channel, ChatKind.Thread })
        {
            var resolution = await host.ResolveAsync("telegram", "999", kind);
            Assert.False(resolution.IsAdmitted);
            Assert.Null(resolution.PairingRequest);
            Assert.Contains("direct message", resolution.RejectionReason, StringComparison.Ordinal);
        }

        Assert.Equal(3, host.RefusalsOf("not_direct"));
        Assert.Empty(await host.AsLouisAsync(p => p.ListPendingAsync(cancellationToken: Ct)));
    }

    [Fact]
    public async Task Bots_webhooks_and_relays_get_no_code_and_cannot_link_an_account()
    {
        await using var host = new PairingHost();
        foreach (var kind in new[] { SenderKind.Bot, SenderKind.Webhook, SenderKind.Relay })
        {
            var resolution = await host.ResolveAsync(new SenderEnvelope("telegram", "77" + (int)kind, "chat-77") { SenderKind = kind });
            Assert.False(resolution.IsAdmitted);
            Assert.Null(resolution.PairingRequest);
            Assert.Contains("programs", resolution.RejectionReason, StringComparison.Ordinal);
        }

        Assert.Equal(3, host.RefusalsOf("automated"));
        Assert.Empty(await host.AsLouisAsync(p => p.ListPendingAsync(cancellationToken: Ct)));

        // A link code Mei asked for cannot be redeemed by a bot's account, and stays usable for her own.
        var link = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        var refused = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(new SenderEnvelope("discord", "4242", "dm-4242") { SenderKind = SenderKind.Bot }, link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.Automated, refused.Reason);
        var linked = await host.Pairings.LinkAsync(new SenderEnvelope("discord", "4243", "dm-4243"), link.Code, Ct);
        Assert.Equal("mei", linked.ProfileKey);
    }

    [Fact]
    public async Task An_expired_code_and_a_used_code_are_refused()
    {
        await using var host = new PairingHost();
        var late = await host.CodeForAsync("901");
        host.Time.Advance(TimeSpan.FromMinutes(61));
        var expired = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", late, "guest", "late", Ct)));
        Assert.Equal(PairingRefusal.Expired, expired.Reason);
        Assert.False((await host.ResolveAsync("telegram", "901")).IsAdmitted);

        var code = await host.CodeForAsync("902");
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "once", Ct));
        var used = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "twice", Ct)));
        Assert.Equal(PairingRefusal.AlreadyUsed, used.Reason);
        var denyUsed = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.DenyAsync("telegram", code, Ct)));
        Assert.Equal(PairingRefusal.AlreadyUsed, denyUsed.Reason);
        Assert.Equal(1, host.RefusalsOf("expired"));
        Assert.Equal(2, host.RefusalsOf("already_used"));
        Assert.DoesNotContain("twice", host.Snapshot.Profiles.Keys);
    }

    [Fact]
    public async Task A_code_approved_with_another_platform_is_refused_and_counts_as_a_failure()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");
        var ex = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("discord", code, "guest", "alex", Ct)));
        Assert.Equal(PairingRefusal.WrongPlatform, ex.Reason);
        Assert.Contains("issued on telegram", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, host.RefusalsOf("wrong_platform"));
        Assert.False(host.Snapshot.TryGetProfile("discord", "999", out _));
        Assert.False(host.Snapshot.TryGetProfile("telegram", "999", out _));
    }

    [Fact]
    public async Task Only_a_holder_of_identity_admin_in_their_own_turn_may_approve_deny_revoke_or_list()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");

        // Mei (trusted) may not.
        var mei = await Assert.ThrowsAsync<AccessDeniedException>(() => host.AsAsync(Identities.Mei, p => p.ApproveAsync("telegram", code, "guest", "alex", Ct)));
        Assert.Equal(PolicyActions.IdentityAdmin, mei.Action);
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.AsAsync(Identities.Mei, p => p.DenyAsync("telegram", code, Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.AsAsync(Identities.Mei, p => p.ListPendingAsync(cancellationToken: Ct)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.AsAsync(Identities.Mei, p => p.RevokeAccountAsync("telegram", "999", Ct)));

        // Nobody may outside a turn.
        var outside = await Assert.ThrowsAsync<AccessDeniedException>(() => host.Pairings.ApproveAsync("telegram", code, "guest", "alex", Ct).AsTask());
        Assert.Contains("No turn", outside.Message, StringComparison.Ordinal);

        Assert.Equal(5, host.RefusalsOf("access_denied"));
        Assert.Contains(host.Logs, l => l.Id.Id == 1112);

        // The code is still pending, untouched: Louis can approve it.
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct));
    }

    [Fact]
    public async Task Pairing_never_grants_owner_nor_identity_admin_and_the_role_and_key_must_be_right()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");

        async Task<PairingRefusal> Refused(Func<Hermes.Identity.Pairing.Pairings, ValueTask<PairedAccount>> approve) =>
            (await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(approve))).Reason;

        Assert.Equal(PairingRefusal.RoleNotAllowed, await Refused(p => p.ApproveAsync("telegram", code, "owner", "alex", Ct)));
        Assert.Equal(PairingRefusal.RoleNotAllowed, await Refused(p => p.ApproveAsync("telegram", code, "deputy", "alex", Ct)));
        Assert.Equal(PairingRefusal.RoleNotAllowed, await Refused(p => p.ApproveLinkAsync("telegram", code, "louis", Ct)));
        Assert.Equal(PairingRefusal.UnknownRole, await Refused(p => p.ApproveAsync("telegram", code, "admin", "alex", Ct)));
        Assert.Equal(PairingRefusal.ProfileKeyTaken, await Refused(p => p.ApproveAsync("telegram", code, "guest", "mei", Ct)));
        Assert.Equal(PairingRefusal.ProfileKeyTaken, await Refused(p => p.ApproveAsync("telegram", code, "guest", "guest-telegram-1", Ct)));
        Assert.Equal(PairingRefusal.UnknownProfile, await Refused(p => p.ApproveLinkAsync("telegram", code, "nobody", Ct)));
        Assert.Equal(3, host.RefusalsOf("role_not_allowed"));
        Assert.Equal(1, host.RefusalsOf("unknown_role"));

        // None of that used the code or counted toward a lock-out.
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "trusted", "alex", Ct));
        Assert.Equal("trusted", (await host.ResolveAsync("telegram", "999")).Profile!.Role);
    }

    [Fact]
    public async Task An_account_that_became_someones_meanwhile_cannot_be_approved_and_an_unpaired_one_cannot_be_revoked()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");
        host.Reload(PairingHost.Yaml.Replace("roles:", "  june:\n    role: guest\n    accounts: { telegram: \"999\" }\nroles:", StringComparison.Ordinal));

        var taken = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "trusted", "alex", Ct)));
        Assert.Equal(PairingRefusal.AccountTaken, taken.Reason);
        Assert.Equal(("june", "guest"), ((await host.ResolveAsync("telegram", "999")).Profile!.Key, (await host.ResolveAsync("telegram", "999")).Profile!.Role));
        Assert.Equal(1, host.RefusalsOf("account_taken"));

        var ex = await Assert.ThrowsAsync<PairingException>(() => host.AsLouisAsync(p => p.RevokeAccountAsync("telegram", Identities.Mei, Ct)));
        Assert.Equal(PairingRefusal.NotPaired, ex.Reason);
        Assert.Equal("mei", (await host.ResolveAsync("telegram", Identities.Mei)).Profile!.Key);
    }
}
