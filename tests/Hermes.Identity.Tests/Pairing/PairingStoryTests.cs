namespace Hermes.Identity.Tests.Pairing;

// The story: a stranger messages the bot and gets a code; Louis approves it as a guest named alex; alex is admitted from
// the next message, after a restart too; Louis revokes alex, who is refused again.
public sealed class PairingStoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stranger_is_paired_admitted_after_a_restart_and_refused_once_revoked()
    {
        var folder = new TempDirectory("pairing");
        var first = new PairingHost(folder: folder);

        // The stranger's first message: refused, with a code and words that say what to do.
        var asked = await first.ResolveAsync("telegram", "999");
        Assert.False(asked.IsAdmitted);
        var request = Assert.IsType<PairingRequest>(asked.PairingRequest);
        Assert.True(request.IsNew);
        Assert.Equal("telegram:999", request.Account);
        Assert.Matches("^[ACDEFGHJKMNPQRTUVWXY2-9]{8}$", request.Code);
        Assert.Equal(PairingHost.Start.AddHours(1), request.ExpiresAt);
        Assert.Contains($"ask the owner to approve code {request.Code}", asked.RejectionReason, StringComparison.Ordinal);
        var revisionBefore = first.Snapshot.Revision;

        // Louis approves it in his own turn, as a guest named alex (typed in lower case with a dash: still the code).
        var typed = request.Code[..4].ToLowerInvariant() + "-" + request.Code[4..];
        var paired = await first.AsLouisAsync(p => p.ApproveAsync("telegram", typed, "guest", "alex", Ct));
        Assert.Equal(("telegram:999", "alex", "guest", "louis"), (paired.Account, paired.ProfileKey, paired.Role, paired.ApprovedBy));

        // The next message is alex's, with the chosen role; the snapshot shows alex and its revision says which state decided.
        var admitted = await first.ResolveAsync("telegram", "999");
        Assert.True(admitted.IsAdmitted);
        Assert.Equal(("alex", "guest", false), (admitted.Profile!.Key, admitted.Profile.Role, admitted.Profile.IsGuest));
        var snapshot = first.Snapshot;
        Assert.True(snapshot.TryGetProfile("telegram", "999", out var alex));
        Assert.Equal("alex", alex.Key);
        Assert.Contains("alex", snapshot.Profiles.Keys);
        Assert.NotEqual(revisionBefore, snapshot.Revision);
        Assert.StartsWith(revisionBefore + "+p", snapshot.Revision, StringComparison.Ordinal);
        Assert.Equal(snapshot.Revision, admitted.Revision);
        await using (first.Host.Turns.BeginTurn(admitted))
        {
            Assert.Equal("alex", first.Host.Current.Profile.Key);
        }

        // A restart: a new host on the same data root still admits alex, under the same revision.
        await first.StopAsync();
        await using var second = new PairingHost(yaml: null, folder: folder, time: first.Time);
        var again = await second.ResolveAsync("telegram", "999");
        Assert.True(again.IsAdmitted);
        Assert.Equal("alex", again.Profile!.Key);
        Assert.Equal(snapshot.Revision, again.Revision);

        // Louis revokes alex: a turn from the resolution made before is refused, and the next message is refused.
        Assert.Equal(1, await second.AsLouisAsync(p => p.RevokeAsync("alex", Ct)));
        var ex = Assert.Throws<SenderRejectedException>(() => second.Host.Turns.BeginTurn(again));
        Assert.Contains("no longer maps", ex.Message, StringComparison.Ordinal);
        var refused = await second.ResolveAsync("telegram", "999");
        Assert.False(refused.IsAdmitted);
        Assert.False(second.Snapshot.TryGetProfile("telegram", "999", out _));
        Assert.DoesNotContain("alex", second.Snapshot.Profiles.Keys);
        Assert.Empty(await second.AsLouisAsync(p => p.ListPairedAsync(Ct)));
    }

    [Fact]
    public async Task Pending_codes_and_paired_accounts_are_listed_for_an_administrator()
    {
        await using var host = new PairingHost();
        var first = await host.CodeForAsync("901");
        var second = await host.CodeForAsync("902");
        var pending = await host.AsLouisAsync(p => p.ListPendingAsync(cancellationToken: Ct));
        Assert.Equal([("telegram:901", first), ("telegram:902", second)], pending.Select(r => (r.Account, r.Code)));
        Assert.All(pending, r => Assert.False(r.IsNew));

        await host.AsLouisAsync(p => p.ApproveAsync("telegram", first, "trusted", "sam", Ct));
        var denied = await host.AsLouisAsync(p => p.DenyAsync("telegram", second, Ct));
        Assert.Equal("telegram:902", denied.Account);

        Assert.Empty(await host.AsLouisAsync(p => p.ListPendingAsync("telegram", Ct)));
        var paired = Assert.Single(await host.AsLouisAsync(p => p.ListPairedAsync(Ct)));
        Assert.Equal(("telegram:901", "sam", "trusted", false), (paired.Account, paired.ProfileKey, paired.Role, paired.IsLink));
        Assert.False((await host.ResolveAsync("telegram", "902")).IsAdmitted); // denied: still a stranger
    }

    [Fact]
    public async Task An_account_can_be_approved_into_an_existing_person()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("5150", platform: "discord");
        var linked = await host.AsLouisAsync(p => p.ApproveLinkAsync("discord", code, "mei", Ct));
        Assert.True(linked.IsLink);
        Assert.Null(linked.Role); // mei's role comes from identities.yaml

        var mei = await host.ResolveAsync("discord", "5150");
        Assert.Equal(("mei", "trusted"), (mei.Profile!.Key, mei.Profile.Role));
        Assert.Equal(["telegram:222", "discord:5150"], host.Snapshot.Profiles["mei"].Accounts);
        Assert.Equal("mei", (await host.ResolveAsync("telegram", "222")).Profile!.Key);
    }

    [Fact]
    public async Task Identities_yaml_wins_over_a_paired_account_or_key_and_the_conflict_is_logged()
    {
        await using var host = new PairingHost();
        var code = await host.CodeForAsync("999");
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", code, "guest", "alex", Ct));
        var other = await host.CodeForAsync("777");
        await host.AsLouisAsync(p => p.ApproveAsync("telegram", other, "guest", "bo", Ct));

        // The owner edits identities.yaml: telegram:999 is now june's, and 'bo' is a configured person with another account.
        host.Reload(PairingHost.Yaml.Replace("roles:", """
              june:
                role: trusted
                accounts: { telegram: "999" }
              bo:
                role: trusted
                accounts: { telegram: "778" }
            roles:
            """, StringComparison.Ordinal));

        var june = await host.ResolveAsync("telegram", "999");
        Assert.Equal(("june", "trusted"), (june.Profile!.Key, june.Profile.Role));
        var bo = host.Snapshot.Profiles["bo"];
        Assert.Equal(["telegram:778"], bo.Accounts);          // the configured bo, not the paired one
        Assert.False((await host.ResolveAsync("telegram", "777")).IsAdmitted);
        Assert.DoesNotContain("alex", host.Snapshot.Profiles.Keys); // alex's only account is june's now

        var conflicts = host.Logs.Where(l => l.Id.Id == 1109).Select(l => l.Message).ToList();
        Assert.Contains(conflicts, m => m.Contains("telegram:999", StringComparison.Ordinal) && m.Contains("june", StringComparison.Ordinal));
        Assert.Contains(conflicts, m => m.Contains("'bo'", StringComparison.Ordinal));
        var count = conflicts.Count;
        _ = host.Snapshot;
        await host.ResolveAsync("telegram", "999");
        Assert.Equal(count, host.Logs.Count(l => l.Id.Id == 1109)); // once per revision, not once per read
    }
}
