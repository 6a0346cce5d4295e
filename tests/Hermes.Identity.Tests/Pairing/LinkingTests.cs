namespace Hermes.Identity.Tests.Pairing;

// A known person asks for a link code in their own direct chat and sends it from an account on another platform: both
// accounts are then the same person. Guessing a code is infeasible; an account that is someone's cannot be linked.
public sealed class LinkingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SenderEnvelope Discord(string userId, ChatKind kind = ChatKind.Direct) => new("discord", userId, "dm-" + userId, kind);

    [Fact]
    public async Task Mei_links_her_discord_account_and_is_mei_there_from_the_next_message()
    {
        await using var host = new PairingHost();
        var link = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        Assert.Equal("mei", link.ProfileKey);
        Assert.Equal(PairingHost.Start.AddMinutes(10), link.ExpiresAt);
        Assert.Matches("^[ACDEFGHJKMNPQRTUVWXY2-9]{8}$", link.Code);

        var before = host.Snapshot.Revision;
        Assert.False((await host.ResolveAsync(Discord("5150"))).IsAdmitted);
        var linked = await host.Pairings.LinkAsync(Discord("5150"), link.Code.ToLowerInvariant(), Ct);
        Assert.Equal(("discord:5150", "mei", true, "mei"), (linked.Account, linked.ProfileKey, linked.IsLink, linked.ApprovedBy));

        var mei = await host.ResolveAsync(Discord("5150"));
        Assert.Equal(("mei", "trusted"), (mei.Profile!.Key, mei.Profile.Role));
        Assert.Equal(["telegram:222", "discord:5150"], mei.Profile.Accounts);
        Assert.NotEqual(before, host.Snapshot.Revision);
        await using (host.Host.Turns.BeginTurn(mei))
        {
            Assert.Equal("mei", host.Host.Current.Profile.Key);
        }

        // The code worked once.
        var again = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("6160"), link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.AlreadyUsed, again.Reason);

        // Louis sees it as paired, and can take it back.
        Assert.Contains(await host.AsLouisAsync(p => p.ListPairedAsync(Ct)), a => a.Account == "discord:5150" && a.ProfileKey == "mei");
        await host.AsLouisAsync(p => p.RevokeAsync("mei", Ct));
        Assert.False((await host.ResolveAsync(Discord("5150"))).IsAdmitted);
        Assert.Equal("mei", (await host.ResolveAsync("telegram", Identities.Mei)).Profile!.Key);
    }

    [Fact]
    public async Task A_paired_person_can_link_too_and_the_owner_links_his_own_accounts()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct));
        var alexCode = await host.AsAsync("999", p => p.CreateLinkCodeAsync(Ct));
        await host.Pairings.LinkAsync(Discord("42"), alexCode.Code, Ct);
        Assert.Equal(("alex", "guest"), ((await host.ResolveAsync(Discord("42"))).Profile!.Key, (await host.ResolveAsync(Discord("42"))).Profile!.Role));

        var louisCode = await host.AsLouisAsync(p => p.CreateLinkCodeAsync(Ct));
        await host.Pairings.LinkAsync(Discord("184"), louisCode.Code, Ct);
        Assert.Equal("louis", (await host.ResolveAsync(Discord("184"))).Profile!.Key);
    }

    [Fact]
    public async Task An_account_that_is_someones_cannot_be_linked()
    {
        await using var host = new PairingHost();
        var link = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        var ex = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(PairingHost.Telegram(Identities.Louis), link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.AccountTaken, ex.Reason);
        Assert.Equal("louis", (await host.ResolveAsync("telegram", Identities.Louis)).Profile!.Key);
        Assert.Equal(1, host.RefusalsOf("account_taken"));

        // The code was not used up by the refusal.
        await host.Pairings.LinkAsync(Discord("5150"), link.Code, Ct);
    }

    [Fact]
    public async Task Guessing_is_rate_limited_per_sender_and_five_failures_lock_linking_from_that_platform()
    {
        await using var host = new PairingHost();
        var link = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));

        var first = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("1"), "AAAAAAAA", Ct).AsTask());
        Assert.Equal(PairingRefusal.UnknownCode, first.Reason);
        var soon = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("1"), link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.RateLimited, soon.Reason); // even with the right code: one try a minute after a failure

        for (var sender = 2; sender <= 5; sender++)
        {
            await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord(sender.ToString(System.Globalization.CultureInfo.InvariantCulture)), "CCCCCCC" + sender, Ct).AsTask());
        }

        var locked = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("5150"), link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.Locked, locked.Reason);
        Assert.Equal(5, host.RefusalsOf("unknown_code"));
        Assert.Contains(host.Logs, l => l.Id.Id == 1105 && l.Message.Contains("link", StringComparison.Ordinal));

        // Linking from another platform is not locked by discord's failures.
        await host.Pairings.LinkAsync(new SenderEnvelope("signal", "+100", "dm"), link.Code, Ct);
        Assert.Equal("mei", (await host.ResolveAsync("signal", "+100")).Profile!.Key);
    }

    [Fact]
    public async Task Expired_and_retired_link_codes_are_refused()
    {
        await using var host = new PairingHost();
        var old = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        var current = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        var retired = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("1"), old.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.UnknownCode, retired.Reason); // a new code retires the last

        host.Time.Advance(TimeSpan.FromMinutes(11));
        var expired = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("2"), current.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.Expired, expired.Reason);
        Assert.False((await host.ResolveAsync(Discord("2"))).IsAdmitted);
    }

    [Fact]
    public async Task Link_codes_live_in_direct_chats_of_known_people_and_turns_only()
    {
        await using var host = new PairingHost();
        var inGroup = await Assert.ThrowsAsync<PairingException>(() => host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct), ChatKind.Group));
        Assert.Equal(PairingRefusal.NotDirectChat, inGroup.Reason);
        await Assert.ThrowsAsync<NoActiveTurnException>(() => host.Pairings.CreateLinkCodeAsync(Ct).AsTask());

        var link = await host.AsAsync(Identities.Mei, p => p.CreateLinkCodeAsync(Ct));
        var sentInGroup = await Assert.ThrowsAsync<PairingException>(() => host.Pairings.LinkAsync(Discord("5150", ChatKind.Group), link.Code, Ct).AsTask());
        Assert.Equal(PairingRefusal.NotDirectChat, sentInGroup.Reason);
        Assert.Equal(2, host.RefusalsOf("not_direct"));
    }
}
