using Hermes.Identity.Configuration;
using Hermes.Identity.Internal;
using Hermes.Identity.Profiles;
using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;

namespace Hermes.Identity.Tests.Configuration;

// Invariant 5: a reload builds a whole new snapshot off to the side and swaps it; a bad file keeps the last good one.
public class ReloadTests
{
    private static YamlIdentitySnapshotProvider Provider(TempDirectory dir, InvalidIdentitiesBehavior onInvalid = InvalidIdentitiesBehavior.FailStartup, FakeLogCollector? logs = null)
        => ReloadProbe.Provider(dir.Combine("identities.yaml"), dir.Path, logs, onInvalid);

    private static string MeAs(string role) => $"version: 1\nidentities:\n  mei: {{ role: {role}, accounts: {{ telegram: \"222\" }} }}\n";

    [Fact]
    public void A_valid_edit_swaps_in_a_new_snapshot()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);
        var before = provider.Current;

        dir.Write("identities.yaml", MeAs("guest"));
        Assert.True(provider.TryReload(out var error), error?.Message);

        Assert.NotSame(before, provider.Current);
        Assert.NotEqual(before.Revision, provider.Current.Revision);
        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
        Assert.Equal("trusted", before.Profiles["mei"].Role);
    }

    [Fact]
    public void A_bad_edit_keeps_the_last_good_snapshot_and_says_where()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);
        var good = provider.Current;

        dir.Write("identities.yaml", "version: 1\nidentities:\n  mei: { role: owner, acounts: { telegram: \"222\" } }\n");
        Assert.False(provider.TryReload(out var error));

        Assert.Same(good, provider.Current);
        Assert.Equal(dir.Combine("identities.yaml"), error!.Errors[0].File);
        Assert.Equal(3, error.Errors[0].Line);
        Assert.Contains($"{dir.Combine("identities.yaml")}:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_file_keeps_the_last_good_snapshot()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);
        var good = provider.Current;
        File.Delete(dir.Combine("identities.yaml"));
        Assert.False(provider.TryReload(out _));
        Assert.Same(good, provider.Current);
    }

    [Fact]
    public async Task Saving_the_file_reloads_it_without_being_asked()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);

        dir.Write("identities.yaml", MeAs("guest"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "saving the file in place");

        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
    }

    [Fact]
    public async Task Replacing_the_file_by_rename_reloads_it()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);

        dir.Write("identities.yaml.tmp", MeAs("guest"));
        File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"), overwrite: true);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "renaming a new file over it");

        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
    }

    [Fact]
    public async Task Deleting_the_file_warns_keeps_the_last_good_snapshot_and_recreating_it_reloads()
    {
        using var dir = new TempDirectory();
        var logs = new FakeLogCollector();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir, logs: logs);
        var good = provider.Current;

        File.Delete(dir.Combine("identities.yaml"));
        var warning = await ReloadProbe.WaitForLogAsync(logs, 105, "deleting the file");

        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("IdentitiesFileMissing", warning.Id.Name);
        Assert.Contains(dir.Combine("identities.yaml"), warning.Message, StringComparison.Ordinal);
        Assert.Contains(good.Revision, warning.Message, StringComparison.Ordinal);
        Assert.Same(good, provider.Current);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == 101);

        // Recreated the recommended way: a temporary file renamed into place.
        dir.Write("identities.yaml.tmp", MeAs("guest"));
        File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"));
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "recreating the file");
        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
    }

    [Fact]
    public async Task A_file_that_cannot_be_opened_keeps_the_last_good_snapshot_and_the_watcher_goes_on()
    {
        // A symbolic link loop: opening it fails with ELOOP, an IOException that must not escape the reload thread.
        using var dir = new TempDirectory();
        var logs = new FakeLogCollector();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir, logs: logs);
        var good = provider.Current;

        File.CreateSymbolicLink(dir.Combine("loop-a"), "loop-b");
        File.CreateSymbolicLink(dir.Combine("loop-b"), "loop-a");
        File.CreateSymbolicLink(dir.Combine("identities.yaml.tmp"), "loop-a");
        File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"), overwrite: true);

        var error = await ReloadProbe.WaitForLogAsync(logs, 101, "pointing the file into a link loop");
        Assert.Contains("cannot be read", error.Message, StringComparison.Ordinal);
        Assert.Same(good, provider.Current);

        dir.Write("identities.yaml.tmp", MeAs("guest"));
        File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"), overwrite: true);
        await ReloadProbe.WaitForRevisionAsync(provider, ReloadProbe.RevisionOf(MeAs("guest"), dir.Path), "replacing the loop with a file");
    }

    [Fact]
    public void The_reload_token_fires_after_each_new_revision_is_in_force()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);
        var seen = new List<string>();
        using var subscription = ChangeToken.OnChange(provider.GetReloadToken, () => seen.Add(provider.Current.Profiles["mei"].Role));

        dir.Write("identities.yaml", MeAs("guest"));
        Assert.True(provider.TryReload(out _));
        Assert.Equal(["guest"], seen);

        dir.Write("identities.yaml", MeAs("owner"));
        Assert.True(provider.TryReload(out _));
        Assert.Equal(["guest", "owner"], seen);

        // Neither a failed reload nor a reload of the same content is a new snapshot.
        dir.Write("identities.yaml", "version: 1\nidentities: [\n");
        Assert.False(provider.TryReload(out _));
        dir.Write("identities.yaml", MeAs("owner"));
        Assert.True(provider.TryReload(out _));
        Assert.Equal(["guest", "owner"], seen);
    }

    [Fact]
    public async Task The_reload_token_fires_when_the_watcher_reloads()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir);
        var fired = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = provider.GetReloadToken().RegisterChangeCallback(_ => fired.TrySetResult(provider.Current.Profiles["mei"].Role), null);

        dir.Write("identities.yaml.tmp", MeAs("guest"));
        File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"), overwrite: true);

        Assert.Equal("guest", await fired.Task.WaitAsync(ReloadProbe.HangGuard, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_reload_callback_that_throws_does_not_undo_the_reload()
    {
        using var dir = new TempDirectory();
        var logs = new FakeLogCollector();
        dir.Write("identities.yaml", MeAs("trusted"));
        using var provider = Provider(dir, logs: logs);
        using var registration = provider.GetReloadToken().RegisterChangeCallback(_ => throw new InvalidOperationException("host bug"), null);

        dir.Write("identities.yaml", MeAs("guest"));
        Assert.True(provider.TryReload(out _));

        Assert.Equal("guest", provider.Current.Profiles["mei"].Role);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 107 && r.Exception?.InnerException?.Message == "host bug");
    }

    [Fact]
    public void A_provider_that_never_reloads_gets_a_token_that_never_fires()
    {
        IIdentitySnapshotProvider fixedProvider = new FixedSnapshot(IdentitySnapshot.Parse(MeAs("trusted"), "/srv/hermes"));
        var token = fixedProvider.GetReloadToken();
        Assert.False(token.HasChanged);
        using var registration = token.RegisterChangeCallback(_ => Assert.Fail("fired"), null);
    }

    private sealed class FixedSnapshot(IdentitySnapshot snapshot) : IIdentitySnapshotProvider
    {
        public IdentitySnapshot Current => snapshot;
    }

    [Fact]
    public void Missing_file_at_start_up_is_an_error_not_an_empty_config()
    {
        using var dir = new TempDirectory();
        using var provider = Provider(dir);
        var ex = Assert.Throws<IdentityConfigException>(() => provider.Current);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deny_everyone_mode_admits_nobody_until_the_file_is_fixed()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", "version: 1\nunknown_senders: guest\nidentities:\n  mei: { role: nobody, accounts: { telegram: \"222\" } }\n");
        using var provider = Provider(dir, InvalidIdentitiesBehavior.DenyEveryone);
        var resolver = new SnapshotIdentityResolver(provider, new HermesMetrics());

        Assert.False((await resolver.ResolveAsync(new SenderEnvelope("telegram", "222"), TestContext.Current.CancellationToken)).IsAdmitted);
        Assert.False((await resolver.ResolveAsync(new SenderEnvelope("telegram", "999"), TestContext.Current.CancellationToken)).IsAdmitted);

        dir.Write("identities.yaml", MeAs("trusted"));
        Assert.True(provider.TryReload(out _));
        Assert.Equal("mei", (await resolver.ResolveAsync(new SenderEnvelope("telegram", "222"), TestContext.Current.CancellationToken)).Profile?.Key);
    }

    [Fact]
    public async Task Reloads_racing_thousands_of_resolutions_never_mix_two_snapshots()
    {
        using var dir = new TempDirectory();
        // Two configurations that differ everywhere: who is listed, their roles, and the unknown-sender rule.
        var a = "version: 1\nunknown_senders: deny\nidentities:\n  mei: { role: trusted, accounts: { telegram: \"222\" } }\n  ann: { role: owner, accounts: { telegram: \"333\" } }\n";
        var b = "version: 1\nunknown_senders: guest\nidentities:\n  mei: { role: guest, accounts: { telegram: \"222\" } }\n";
        var expected = new Dictionary<string, (string Mei, string? Ann)>
        {
            [IdentitySnapshot.Parse(a, dir.Path).Revision] = ("trusted", "ann"),
            [IdentitySnapshot.Parse(b, dir.Path).Revision] = ("guest", ProfileKey.ForGuest(new("telegram", "333"))),
        };
        dir.Write("identities.yaml", a);
        using var provider = Provider(dir);
        var resolver = new SnapshotIdentityResolver(provider, new HermesMetrics());
        using var stop = new CancellationTokenSource();
        var reloads = 0;

        var writer = Task.Run(() =>
        {
            var flip = false;
            while (!stop.IsCancellationRequested)
            {
                dir.Write("identities.yaml.tmp", flip ? a : b);
                File.Move(dir.Combine("identities.yaml.tmp"), dir.Combine("identities.yaml"), overwrite: true);
                if (provider.TryReload(out _))
                {
                    reloads++;
                }

                flip = !flip;
            }
        });

        var mistakes = 0;
        var seen = new HashSet<string>();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            // Thousands of resolutions, and on until a few reloads have raced them, however the two threads are scheduled.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < 20_000 || (Volatile.Read(ref reloads) <= 10 && clock.Elapsed < ReloadProbe.HangGuard); i++)
            {
                // One snapshot per decision: read it once, answer both questions from it.
                var snapshot = provider.Current;
                var mei = ((SnapshotIdentityResolver)resolver).Resolve(new SenderEnvelope("telegram", "222"), snapshot);
                var ann = ((SnapshotIdentityResolver)resolver).Resolve(new SenderEnvelope("telegram", "333"), snapshot);
                var want = expected[snapshot.Revision];
                if (mei.Profile!.Role != want.Mei || ann.Profile?.Key != want.Ann || mei.Revision != snapshot.Revision)
                {
                    Interlocked.Increment(ref mistakes);
                }

                lock (seen)
                {
                    seen.Add(snapshot.Revision);
                }

                if (i % 500 == 0)
                {
                    await Task.Yield();
                }
            }
        })).ToArray();

        await Task.WhenAll(readers);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(0, mistakes);
        Assert.True(reloads > 10, $"only {reloads} reloads happened");
        Assert.Equal(2, seen.Count);
    }
}
