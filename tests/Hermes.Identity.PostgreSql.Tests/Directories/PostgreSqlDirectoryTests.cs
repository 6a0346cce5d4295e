using Hermes.Identity.Directories;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.Directories;

// The PostgreSQL identity directory through the public API on the real server: the same contract as the SQLite one
// (versions, deltas since a version, the removal log, one person per account, all-or-nothing batches), in force in this
// replica when the write returns, and in another replica on the same schema once its NOTIFY is applied.
public sealed class PostgreSqlDirectoryTests(PostgresFixture postgres)
{
    private static ServiceProvider Replica(PostgresServer server, string schema, TempDirectory root)
    {
        root.Write("identities.yaml", Identities.Household(Identities.Tools));
        return Stores.Provider(server, schema, b => b.AddPostgreSqlDirectory().ConfigureIdentityDirectory(d => d.RefreshInterval = TimeSpan.FromMinutes(1)), root.Path);
    }

    [Fact]
    public async Task Writes_move_the_version_once_and_changes_since_a_version_are_the_delta()
    {
        var server = postgres.Require();
        using var root = new TempDirectory();
        await using var provider = Replica(server, PostgresServer.NewSchema(), root);
        var directory = provider.GetRequiredService<PostgreSqlIdentityDirectory>();

        Assert.Equal(0, await directory.GetVersionAsync());
        Assert.Equal(1, await directory.SetManyAsync([new DirectoryPerson("dana", "owner", "Dana", ["telegram:9001", "discord:77"]), new DirectoryPerson("gus", "trusted", null, ["telegram:9002"])]));
        Assert.Equal(2, await directory.SetAsync(new DirectoryPerson("dana", "trusted", "Dana", ["telegram:9001"])));
        Assert.True(await directory.RemoveAsync("gus"));
        Assert.False(await directory.RemoveAsync("gus"));
        Assert.Equal(3, await directory.GetVersionAsync()); // a removal of nobody does not move it

        var dana = Assert.IsType<DirectoryPerson>(await directory.GetAsync("dana"));
        Assert.Equal("trusted", dana.Role);
        Assert.Equal("Dana", dana.DisplayName);
        Assert.Equal(["telegram:9001"], dana.Accounts);
        Assert.Null(await directory.GetAsync("gus"));

        var all = new List<DirectoryPerson>();
        await foreach (var person in directory.ReadAllAsync())
        {
            all.Add(person);
        }

        Assert.Equal(["dana"], all.Select(p => p.Key));

        var sinceOne = Assert.IsType<DirectoryChanges>(await directory.GetChangesAsync(1));
        Assert.Equal(3, sinceOne.Version);
        Assert.Equal(["dana"], sinceOne.Changed.Select(p => p.Key));
        Assert.Equal(["gus"], sinceOne.Removed);
        var none = Assert.IsType<DirectoryChanges>(await directory.GetChangesAsync(3));
        Assert.Empty(none.Changed);
        Assert.Empty(none.Removed);

        // discord:77 was freed by the change above; gus's account by the removal.
        await directory.SetAsync(new DirectoryPerson("eve", "trusted", null, ["discord:77", "telegram:9002"]));
        Assert.Equal(4, await directory.GetVersionAsync());
    }

    [Fact]
    public async Task An_account_is_one_persons_and_a_refused_batch_writes_nothing()
    {
        var server = postgres.Require();
        using var root = new TempDirectory();
        await using var provider = Replica(server, PostgresServer.NewSchema(), root);
        var directory = provider.GetRequiredService<PostgreSqlIdentityDirectory>();
        await directory.SetAsync(new DirectoryPerson("dana", "owner", null, ["telegram:9001"]));

        var taken = await Assert.ThrowsAsync<InvalidOperationException>(() => directory.SetManyAsync(
            [new DirectoryPerson("gus", "trusted", null, ["telegram:9002"]), new DirectoryPerson("eve", "trusted", null, ["telegram:9001"])]).AsTask());
        Assert.Contains("already 'dana''s", taken.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", taken.Message, StringComparison.Ordinal);
        var twice = await Assert.ThrowsAsync<InvalidOperationException>(() => directory.SetManyAsync(
            [new DirectoryPerson("gus", "trusted", null, ["telegram:9002"]), new DirectoryPerson("eve", "trusted", null, ["telegram:9002"])]).AsTask());
        Assert.Contains("an account is one person's", twice.Message, StringComparison.Ordinal);

        Assert.Equal(1, await directory.GetVersionAsync());
        Assert.Null(await directory.GetAsync("gus"));
        Assert.Null(await directory.GetAsync("eve"));

        // A person may move an account between their own entries, and two people may swap in one batch.
        await directory.SetAsync(new DirectoryPerson("gus", "trusted", null, ["telegram:9002"]));
        await directory.SetManyAsync([new DirectoryPerson("dana", "owner", null, ["telegram:9002"]), new DirectoryPerson("gus", "trusted", null, ["telegram:9001"])]);
        Assert.Equal(["telegram:9002"], (await directory.GetAsync("dana"))!.Accounts);
        Assert.Equal(["telegram:9001"], (await directory.GetAsync("gus"))!.Accounts);
    }

    [Fact]
    public async Task A_change_is_in_force_here_when_the_write_returns_and_on_another_replica_once_notified()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        using var rootA = new TempDirectory();
        using var rootB = new TempDirectory();
        await using var a = Replica(server, schema, rootA);
        await using var b = Replica(server, schema, rootB);
        var snapshotsB = b.GetRequiredService<IIdentitySnapshotProvider>();
        Assert.EndsWith("+d0", snapshotsB.Current.Revision, StringComparison.Ordinal);

        var directory = a.GetRequiredService<PostgreSqlIdentityDirectory>();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = snapshotsB.GetReloadToken().RegisterChangeCallback(_ => applied.TrySetResult(), null);
        await directory.SetAsync(new DirectoryPerson("dana", "owner", "Dana", ["telegram:9001"]));
        Assert.EndsWith("+d1", a.GetRequiredService<IIdentitySnapshotProvider>().Current.Revision, StringComparison.Ordinal);
        await applied.Task.WaitAsync(HangGuard.Timeout); // B polls once a minute: this is the NOTIFY
        Assert.EndsWith("+d1", snapshotsB.Current.Revision, StringComparison.Ordinal);

        var resolution = await b.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "9001", "dm", ChatKind.Direct, null));
        using (b.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution))
        {
            var decision = await b.GetRequiredService<PolicyEngine>().AuthorizeToolCallAsync("terminal");
            Assert.Equal(PolicyEffect.Allow, decision.Effect);
            Assert.EndsWith("+d1", decision.Revision, StringComparison.Ordinal);
        }
    }
}
