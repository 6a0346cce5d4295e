using Hermes.Identity.Pairing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Tests.Pairing;

// What can be known at start-up fails the start: a pairing limit out of range, unknown_senders: pair without a store.
public sealed class PairingStartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IHost BuildHost(TempDirectory dir, Action<IHermesIsolationBuilder>? build = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dir.Path });
        var hermes = builder.Services.AddHermesIsolation(o => o.Root = dir.Path);
        build?.Invoke(hermes);
        return builder.Build();
    }

    [Fact]
    public void The_defaults_are_the_documented_limits()
    {
        var o = new PairingOptions();
        Assert.Equal(
            (TimeSpan.FromHours(1), 3, TimeSpan.FromMinutes(10), 5, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)),
            (o.CodeLifetime, o.MaxPendingPerPlatform, o.RequestInterval, o.MaxFailedAttempts, o.LockoutDuration, o.LinkCodeLifetime, o.LinkRetryInterval, o.RefreshInterval));
    }

    [Fact]
    public async Task A_limit_out_of_range_stops_the_start_and_says_what_to_set()
    {
        using var dir = new TempDirectory("pairing");
        dir.Write("identities.yaml", PairingHost.Yaml);
        using var host = BuildHost(dir, b => b.AddSqliteState().ConfigurePairing(p =>
        {
            p.MaxPendingPerPlatform = 0;
            p.LockoutDuration = TimeSpan.Zero;
        }));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("PairingOptions.MaxPendingPerPlatform is 0; use 1 to 100.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PairingOptions.LockoutDuration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pair_without_a_state_store_stops_the_start_and_names_the_fix()
    {
        using var dir = new TempDirectory("pairing");
        dir.Write("identities.yaml", PairingHost.Yaml);
        using var host = BuildHost(dir);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains("call AddSqliteState() (Hermes.Identity.Sqlite) or register an IIdentityStateStore", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Services.GetRequiredService<Pairings>().ListPairedAsync(Ct).AsTask());
    }

    [Fact]
    public async Task With_a_store_the_host_starts_and_an_unknown_sender_gets_a_code()
    {
        using var dir = new TempDirectory("pairing");
        dir.Write("identities.yaml", PairingHost.Yaml);
        using var host = BuildHost(dir, b => b.AddSqliteState());
        await host.StartAsync(Ct);
        var resolution = await host.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "999"), Ct);
        Assert.NotNull(resolution.PairingRequest);
        await host.StopAsync(Ct);
    }
}
