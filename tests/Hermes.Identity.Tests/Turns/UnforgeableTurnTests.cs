using System.Reflection;
using Hermes.Identity.Configuration;
using Hermes.Identity.Memory;
using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Turns;

// A profile cannot be forged, a turn begins only for what the configuration in force maps together,
// and RunTurnAsync makes the right thing the easy thing.
public class UnforgeableTurnTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(typeof(AgentProfile))]
    [InlineData(typeof(ProfilePaths))]
    [InlineData(typeof(IdentityResolution))]
    [InlineData(typeof(IdentitySnapshot))]
    [InlineData(typeof(TurnContext))]
    [InlineData(typeof(TurnScope))]
    public void Host_code_cannot_make_or_change_one(Type type)
    {
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.DoesNotContain(type.GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.ReturnType == type);
        Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => Assert.Null(p.GetSetMethod(nonPublic: false)));
    }

    [Fact]
    public void A_profiles_paths_are_derived_from_the_data_root_and_its_key()
    {
        using var dir = new TempDirectory();
        var snapshot = IdentitySnapshot.Parse(Identities.Story, dir.Path);
        foreach (var profile in snapshot.Profiles.Values)
        {
            Assert.Equal(Path.Combine(dir.Path, "agents", profile.Key, "state.db"), profile.Paths.SessionDatabase);
            Assert.Equal(Path.Combine(dir.Path, "memories", profile.Key), profile.Paths.MemoryDirectory);
            Assert.Equal(Path.Combine(dir.Path, "workspaces", profile.Key), profile.Paths.WorkspaceDirectory);
        }
    }

    [Fact]
    public async Task A_resolution_made_stale_by_a_reload_begins_no_turn_for_the_old_profile()
    {
        await using var host = new HermesHost();
        var envelope = new SenderEnvelope("telegram", "222");
        var stale = await host.Resolver.ResolveAsync(envelope, Ct);
        Assert.Equal("mei", stale.Profile!.Key);

        // The owner gives telegram:222 to another person: the old resolution must not reach mei's data.
        Reload(host, Identities.Story.Replace("accounts: { telegram: \"222\" }", "accounts: { telegram: \"223\" }", StringComparison.Ordinal)
            .Replace("  ah-ma:", "  june:\n    role: guest\n    accounts: { telegram: \"222\" }\n  ah-ma:", StringComparison.Ordinal));

        var ex = Assert.Throws<SenderRejectedException>(() => host.Turns.BeginTurn(stale));
        Assert.Contains("changed", ex.Message, StringComparison.Ordinal);
        Assert.False(host.Current.IsInTurn);

        var fresh = await host.Turns.RunTurnAsync(envelope, turn =>
        {
            Assert.Equal("june", turn.Profile.Key);
            return Task.CompletedTask;
        }, Ct);
        Assert.True(fresh.IsAdmitted);
    }

    [Fact]
    public async Task A_turn_takes_the_role_in_force_when_it_begins()
    {
        await using var host = new HermesHost();
        var resolution = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "222"), Ct);
        Assert.Equal("trusted", resolution.Profile!.Role);

        Reload(host, Identities.Story.Replace("    display_name: Mei\n    role: trusted", "    display_name: Mei\n    role: guest", StringComparison.Ordinal));

        await using var turn = host.Turns.BeginTurn(resolution);
        Assert.Equal("guest", turn.Profile.Role);
        Assert.Equal("guest", host.Current.Profile.Role);
    }

    [Fact]
    public async Task A_guest_admitted_before_unknown_senders_became_deny_is_refused()
    {
        await using var host = new HermesHost();
        var guest = await host.Resolver.ResolveAsync(new SenderEnvelope("telegram", "999"), Ct);
        Assert.True(guest.Profile!.IsGuest);

        Reload(host, Identities.Story.Replace("unknown_senders: guest", "unknown_senders: deny", StringComparison.Ordinal));

        Assert.Throws<SenderRejectedException>(() => host.Turns.BeginTurn(guest));
    }

    [Fact]
    public async Task RunTurnAsync_sets_the_profile_for_the_body_even_when_called_from_an_async_helper()
    {
        await using var host = new HermesHost();
        string? seen = null;

        // The newcomer's shape: a helper method that handles the message.
        async Task HandleAsync(SenderEnvelope envelope) =>
            await host.Turns.RunTurnAsync(envelope, async turn =>
            {
                await Task.Yield();
                seen = host.Current.Profile.Key;
                var memory = turn.Services.GetRequiredService<IMemoryStore>();
                await memory.AddAsync(MemoryFile.Notes, "Mei likes tea.", Ct);
            }, Ct);

        await HandleAsync(new SenderEnvelope("telegram", "222", "g1", ChatKind.Group, "Louis (owner)"));

        Assert.Equal("mei", seen);
        Assert.False(host.Current.IsInTurn);
        Assert.Contains("Mei likes tea.", await File.ReadAllTextAsync(Path.Combine(host.Root, "memories", "mei", "MEMORY.md"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunTurnAsync_runs_nothing_for_a_rejected_sender_and_says_why()
    {
        await using var host = new HermesHost(Identities.Story.Replace("unknown_senders: guest", "unknown_senders: deny", StringComparison.Ordinal));
        var ran = false;
        var resolution = await host.Turns.RunTurnAsync(new SenderEnvelope("telegram", "999"), _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }, Ct);

        Assert.False(ran);
        Assert.False(resolution.IsAdmitted);
        Assert.False(string.IsNullOrWhiteSpace(resolution.RejectionReason));
    }

    [Fact]
    public async Task RunTurnAsync_ends_the_turn_when_the_body_throws()
    {
        await using var host = new HermesHost();
        IMemoryStore? kept = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Turns.RunTurnAsync(new SenderEnvelope("telegram", "222"), turn =>
        {
            kept = turn.Services.GetRequiredService<IMemoryStore>();
            throw new InvalidOperationException("the agent loop failed");
        }, Ct));

        Assert.False(host.Current.IsInTurn);
        await Assert.ThrowsAsync<NoActiveTurnException>(() => kept!.ReadAsync(Ct).AsTask());
    }

    private static void Reload(HermesHost host, string yaml)
    {
        File.WriteAllText(Path.Combine(host.Root, "identities.yaml"), yaml);
        var provider = host.Services.GetRequiredService<YamlIdentitySnapshotProvider>();
        Assert.True(provider.TryReload(out var error), error?.Message);
    }
}
