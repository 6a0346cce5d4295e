using System.Diagnostics.Metrics;
using Hermes.Identity.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Tests.DependencyInjection;

public class AddHermesIsolationTests
{
    private static IHost BuildHost(TempDirectory dir, Action<HermesIsolationOptions>? configure = null, Action<IHermesIsolationBuilder>? build = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = dir.Path });
        var hermes = builder.Services.AddHermesIsolation(o =>
        {
            o.Root = dir.Path;
            configure?.Invoke(o);
        });
        build?.Invoke(hermes);
        return builder.Build();
    }

    [Fact]
    public async Task The_host_refuses_to_start_on_an_invalid_identities_file_and_says_where()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", "version: 1\nidentities:\n  mei: { role: trustd, accounts: { telegram: \"222\" } }\n");
        using var host = BuildHost(dir);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains($"{dir.Combine("identities.yaml")}:3:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'trusted'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_refuses_to_start_without_an_identities_file()
    {
        using var dir = new TempDirectory();
        using var host = BuildHost(dir);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_can_instead_start_denying_everyone()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", "version: 1\nunknown_senders: guest\nidentities: oops\n");
        using var host = BuildHost(dir, o => o.OnInvalidIdentitiesAtStartup = InvalidIdentitiesBehavior.DenyEveryone);
        await host.StartAsync(TestContext.Current.CancellationToken);

        var resolution = await host.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "1"), TestContext.Current.CancellationToken);
        Assert.False(resolution.IsAdmitted);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Bad_options_fail_start_up_with_what_to_fix()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", Identities.Story);
        using var host = BuildHost(dir, o => o.ReloadDelay = TimeSpan.FromHours(1));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("ReloadDelay", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_root_fails_start_up()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", Identities.Story);
        using var host = BuildHost(dir, o => o.Root = "");
        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddYamlIdentities_reads_the_given_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config/people.yaml", Identities.Story);
        using var host = BuildHost(dir, build: b => b.AddYamlIdentities(path));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var snapshot = host.Services.GetRequiredService<IIdentitySnapshotProvider>().Current;
        Assert.Equal(path, snapshot.Source);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_users_own_registration_wins()
    {
        var services = new ServiceCollection();
        var mine = new FixedResolver();
        services.AddSingleton<IIdentityResolver>(mine);
        services.AddHermesIsolation();
        using var provider = services.BuildServiceProvider();
        Assert.Same(mine, provider.GetRequiredService<IIdentityResolver>());
    }

    [Fact]
    public void The_extension_is_found_without_a_using()
        => Assert.Equal("Microsoft.Extensions.DependencyInjection", typeof(HermesIsolationServiceCollectionExtensions).Namespace);

    [Fact]
    public async Task Resolutions_are_counted_by_outcome_and_role_never_by_user()
    {
        using var dir = new TempDirectory();
        dir.Write("identities.yaml", Identities.Story);
        using var host = BuildHost(dir);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var collector = new MetricCollector<long>(meterFactory, "Hermes.Identity", "hermes.identity.resolutions");
        var resolver = host.Services.GetRequiredService<IIdentityResolver>();

        await resolver.ResolveAsync(new SenderEnvelope("telegram", "222"), TestContext.Current.CancellationToken);
        await resolver.ResolveAsync(new SenderEnvelope("telegram", "999"), TestContext.Current.CancellationToken);

        var measurements = collector.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.Equal(("known", "trusted"), ((string)measurements[0].Tags["outcome"]!, (string)measurements[0].Tags["role"]!));
        Assert.Equal(("guest", "guest"), ((string)measurements[1].Tags["outcome"]!, (string)measurements[1].Tags["role"]!));
        foreach (var m in measurements)
        {
            Assert.DoesNotContain(m.Tags.Values, v => v is string s && (s.Contains("222", StringComparison.Ordinal) || s.Contains("999", StringComparison.Ordinal) || s.Contains("mei", StringComparison.Ordinal)));
        }

        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class FixedResolver : IIdentityResolver
    {
        public ValueTask<IdentityResolution> ResolveAsync(SenderEnvelope sender, CancellationToken cancellationToken = default)
            => new(IdentityResolution.Rejected(sender, "fixed", "r"));
    }
}
