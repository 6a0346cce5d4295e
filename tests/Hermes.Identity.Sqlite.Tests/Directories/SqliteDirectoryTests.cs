using Hermes.Identity.Directories;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hermes.Identity.Sqlite.Tests.Directories;

// The SQLite identity directory through the public API, on real files: people from the directory are resolved and decided
// with their role, identities.yaml wins, a change is in force by the next decision once seen (at once in this process,
// within the refresh interval from another process or another handle on the file), and every decision records the
// revision "<yaml>+d<version>" that decided it.
public sealed class SqliteDirectoryTests
{
    private static readonly string Yaml = Identities.Household(Identities.Tools);

    [Fact]
    public async Task A_directory_person_is_resolved_and_decided_with_their_role()
    {
        await using var host = Host(out var directory);
        await directory.SetAsync(new DirectoryPerson("dana", "owner", "Dana", ["telegram:9001", "discord:77"]));

        using (var turn = host.Begin("telegram", "9001"))
        {
            var profile = host.Current.Profile;
            Assert.Equal("dana", profile.Key);
            Assert.Equal("owner", profile.Role);
            Assert.Equal("Dana", profile.DisplayName);
            Assert.Equal(["telegram:9001", "discord:77"], profile.Accounts);
            var decision = await Engine(host).AuthorizeToolCallAsync("terminal");
            Assert.Equal(PolicyEffect.Allow, decision.Effect);
            Assert.EndsWith("+d1", decision.Revision, StringComparison.Ordinal);
        }

        using (host.Begin("discord", "77"))
        {
            Assert.Equal("dana", host.Current.Profile.Key);
        }

        // identities.yaml's people are still there, and a stranger is still a guest.
        using (host.Begin("telegram", Identities.Mei))
        {
            Assert.Equal("mei", host.Current.Profile.Key);
        }

        using (host.Begin("telegram", "424242"))
        {
            Assert.True(host.Current.Profile.IsGuest);
        }

        var snapshot = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current;
        Assert.True(snapshot.Profiles.ContainsKey("dana"));
        Assert.Equal(3, snapshot.Profiles.Count);
    }

    [Fact]
    public async Task Identities_yaml_wins_on_a_key_or_an_account_both_claim()
    {
        await using var host = Host(out var directory);
        await directory.SetManyAsync(
        [
            new DirectoryPerson("mei", "owner", null, ["telegram:9100"]),           // mei is trusted in identities.yaml
            new DirectoryPerson("eve", "owner", null, ["telegram:" + Identities.Mei]), // Mei's account
        ]);

        using (host.Begin("telegram", "9100"))
        {
            Assert.True(host.Current.Profile.IsGuest); // the directory's 'mei' is not used at all
        }

        using (host.Begin("telegram", Identities.Mei))
        {
            Assert.Equal("mei", host.Current.Profile.Key);
            Assert.Equal("trusted", host.Current.Profile.Role);
            Assert.Equal(PolicyEffect.Deny, (await Engine(host).AuthorizeToolCallAsync("terminal")).Effect);
        }

        var profiles = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current.Profiles;
        Assert.Equal("trusted", profiles["mei"].Role);
        Assert.Equal("owner", profiles["eve"].Role); // eve is in, without the account identities.yaml gives Mei
    }

    [Fact]
    public async Task A_demotion_then_a_removal_in_this_process_is_enforced_by_the_next_decision_of_a_turn_in_progress()
    {
        await using var host = Host(out var directory);
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:9001"]));
        var engine = Engine(host);

        using var turn = host.Begin("telegram", "9001");
        var allowed = await engine.AuthorizeToolCallAsync("terminal");
        Assert.Equal(PolicyEffect.Allow, allowed.Effect);

        var version = await directory.SetAsync(new DirectoryPerson("dana", "guest", null, ["telegram:9001"]));
        var demoted = await engine.AuthorizeToolCallAsync("terminal");
        Assert.Equal(PolicyEffect.Deny, demoted.Effect);
        Assert.EndsWith($"+d{version}", demoted.Revision, StringComparison.Ordinal);
        Assert.NotEqual(allowed.Revision, demoted.Revision);

        Assert.True(await directory.RemoveAsync("dana"));
        var removed = await engine.AuthorizeToolCallAsync("web_search");
        Assert.Equal(PolicyEffect.Deny, removed.Effect);
        Assert.Contains("not in the identities configuration", removed.Reason, StringComparison.Ordinal);
        Assert.EndsWith($"+d{version + 1}", removed.Revision, StringComparison.Ordinal);
        Assert.False(await directory.RemoveAsync("dana"));
    }

    [Fact]
    public async Task A_change_through_another_handle_on_the_file_is_in_force_after_the_refresh_interval_and_not_before()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = Host(out var directory, time);
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:9001"]));
        var snapshots = host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        var before = snapshots.Current.Revision;

        using (var other = new SqliteIdentityDirectory(directory.DatabasePath)) // no in-process signal reaches the host
        {
            await other.SetAsync(new DirectoryPerson("dana", "guest", null, ["telegram:9001"]));
            await other.SetAsync(new DirectoryPerson("finn", "trusted", null, ["telegram:9002"]));
        }

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(before, snapshots.Current.Revision);
        using (host.Begin("telegram", "9001"))
        {
            Assert.Equal(PolicyEffect.Allow, (await Engine(host).AuthorizeToolCallAsync("terminal")).Effect);
        }

        var reloaded = snapshots.GetReloadToken();
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitAsync(reloaded);
        Assert.EndsWith("+d3", snapshots.Current.Revision, StringComparison.Ordinal);
        using (host.Begin("telegram", "9001"))
        {
            Assert.Equal("guest", host.Current.Profile.Role);
            Assert.Equal(PolicyEffect.Deny, (await Engine(host).AuthorizeToolCallAsync("terminal")).Effect);
        }

        using (host.Begin("telegram", "9002"))
        {
            Assert.Equal("finn", host.Current.Profile.Key);
        }
    }

    [Fact]
    public async Task A_change_written_by_another_process_is_seen_within_the_refresh()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = Host(out var directory, time);
        var snapshots = host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:9001"]));

        using (var child = ChildProcess.Start("Hermes.Identity.Sqlite.StateWriter", "directory-set", directory.DatabasePath, "gus", "trusted", "telegram:9003"))
        {
            Assert.Equal("set 2", await child.WaitForLineAsync(l => l.StartsWith("set ", StringComparison.Ordinal)));
            await child.WaitForExitAsync();
        }

        using (var child = ChildProcess.Start("Hermes.Identity.Sqlite.StateWriter", "directory-remove", directory.DatabasePath, "dana"))
        {
            Assert.Equal("removed true", await child.WaitForLineAsync(l => l.StartsWith("removed ", StringComparison.Ordinal)));
            await child.WaitForExitAsync();
        }

        var reloaded = snapshots.GetReloadToken();
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitAsync(reloaded);
        Assert.EndsWith("+d3", snapshots.Current.Revision, StringComparison.Ordinal);
        using (host.Begin("telegram", "9003"))
        {
            Assert.Equal("gus", host.Current.Profile.Key);
            Assert.Equal("trusted", host.Current.Profile.Role);
        }

        using (host.Begin("telegram", "9001"))
        {
            Assert.True(host.Current.Profile.IsGuest);
        }
    }

    [Fact]
    public async Task A_hundred_thousand_people_load_and_resolve_and_one_more_is_a_delta()
    {
        using var folder = new TempDirectory();
        using (var seed = new SqliteIdentityDirectory(SqliteIdentityDirectory.DatabasePathUnder(folder.Path)))
        {
            await seed.SetManyAsync(Enumerable.Range(0, 100_000).Select(i => new DirectoryPerson($"p{i}", i % 10 == 0 ? "trusted" : "guest", $"Person {i}", [$"telegram:{1_000_000 + i}"])));
        }

        await using var host = new HermesHost(Yaml, isolation: b => b.AddSqliteDirectory(), folder: folder);
        var snapshots = host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        Assert.Equal(100_002, snapshots.Current.Profiles.Count);
        using (host.Begin("telegram", "1099990"))
        {
            Assert.Equal("p99990", host.Current.Profile.Key);
            Assert.Equal("trusted", host.Current.Profile.Role);
        }

        var directory = host.Services.GetRequiredService<SqliteIdentityDirectory>();
        await directory.SetAsync(new DirectoryPerson("newcomer", "trusted", null, ["telegram:42"]));
        Assert.Equal(100_003, snapshots.Current.Profiles.Count);
        Assert.EndsWith("+d2", snapshots.Current.Revision, StringComparison.Ordinal);
        using (host.Begin("telegram", "42"))
        {
            Assert.Equal("newcomer", host.Current.Profile.Key);
        }
    }

    [Fact]
    public async Task An_account_is_one_persons_and_a_refused_write_writes_nothing()
    {
        using var folder = new TempDirectory();
        using var directory = new SqliteIdentityDirectory(Path.Combine(folder.Path, "directory.db"));
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:1"]));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await directory.SetManyAsync([new DirectoryPerson("finn", "trusted", null, ["telegram:2"]), new DirectoryPerson("gus", "trusted", null, ["telegram:1"])]));
        Assert.Contains("remove it from 'dana' first", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await directory.GetVersionAsync());
        Assert.Null(await directory.GetAsync("finn"));

        // Moving an account: drop it from one person, then give it to another.
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:3"]));
        await directory.SetAsync(new DirectoryPerson("gus", "trusted", "Gus", ["telegram:1"]));
        var changes = await directory.GetChangesAsync(1);
        Assert.NotNull(changes);
        Assert.Equal(3, changes.Version);
        Assert.Equal(["dana", "gus"], changes.Changed.Select(p => p.Key).Order());
        Assert.Equal("Gus", (await directory.GetAsync("gus"))!.DisplayName);
        Assert.True(await directory.RemoveAsync("gus"));
        Assert.Equal(["gus"], (await directory.GetChangesAsync(3))!.Removed);
    }

    [Fact]
    public async Task A_refresh_interval_out_of_range_is_refused_with_the_range()
    {
        await using var host = new HermesHost(Yaml, isolation: b => b.AddSqliteDirectory().ConfigureIdentityDirectory(d => d.RefreshInterval = TimeSpan.Zero));
        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<IdentityDirectoryOptions>>().Value);
        Assert.Contains("100 milliseconds to 1 minute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_person_is_validated()
    {
        Assert.Throws<ArgumentException>(() => new DirectoryPerson("Not Valid", "owner", null, ["telegram:1"]));
        Assert.Throws<ArgumentException>(() => new DirectoryPerson("ok", "owner", null, []));
        Assert.Throws<ArgumentException>(() => new DirectoryPerson("ok", "owner", null, ["Telegram:1"]));
        Assert.Throws<ArgumentException>(() => new DirectoryPerson("ok", "owner", null, ["telegram:"]));
        Assert.Throws<ArgumentException>(() => new DirectoryPerson("ok", "owner", null, ["telegram:1\n2"]));
        Assert.Equal("ok", new DirectoryPerson("ok", "owner", null, ["telegram:1"]).DisplayName);
    }

    // "In force on return" holds when one process writes from several threads at once: no change signal is lost between
    // one refresh and the next registration. The clock is frozen, so the refresh timer cannot cover for a lost signal.
    [Fact]
    public async Task Every_write_from_concurrent_threads_is_in_force_when_its_call_returns()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = Host(out var directory, time);
        var snapshots = host.Services.GetRequiredService<IIdentitySnapshotProvider>();
        var missed = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                var key = $"w{writer}-{i}";
                await directory.SetAsync(new DirectoryPerson(key, "trusted", null, [$"telegram:{(writer * 1000) + i + 50000}"]));
                if (!snapshots.Current.Profiles.ContainsKey(key))
                {
                    missed.Add(key);
                }
            }
        }))).WaitAsync(HangGuard.Timeout);

        Assert.Empty(missed);
    }

    private static HermesHost Host(out SqliteIdentityDirectory directory, TimeProvider? time = null)
    {
        var host = new HermesHost(Yaml, configure: time is null ? null : s => s.AddSingleton(time), isolation: b => b.AddSqliteDirectory());
        directory = host.Services.GetRequiredService<SqliteIdentityDirectory>();
        _ = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current; // start following the directory, as the start-up check does
        return host;
    }

    private static PolicyEngine Engine(HermesHost host) => host.Services.GetRequiredService<PolicyEngine>();

    private static async Task WaitAsync(Microsoft.Extensions.Primitives.IChangeToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.RegisterChangeCallback(_ => fired.TrySetResult(), null);
        await fired.Task.WaitAsync(HangGuard.Timeout);
    }
}
