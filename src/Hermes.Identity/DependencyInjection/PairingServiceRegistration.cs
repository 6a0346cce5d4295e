using Hermes.Identity;
using Hermes.Identity.Configuration;
using Hermes.Identity.Directories;
using Hermes.Identity.Internal;
using Hermes.Identity.Pairing;
using Hermes.Identity.Policy;
using Hermes.Identity.Profiles;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// The pairing part of AddHermesIsolation. With an IIdentityStateStore registered (AddSqliteState), the snapshot in force
// is identities.yaml merged with the paired accounts, and the resolver answers unknown senders with pairing codes under
// unknown_senders: pair; without one, identities.yaml alone is in force and Pairings refuses to work.
internal static class PairingServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<PairingOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PairingOptions>, PairingOptionsValidator>());
        services.AddOptionsWithValidateOnStart<PairingStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PairingStartupCheck>, PairingStartupCheck.Validator>());

        services.TryAddSingleton(sp => new PairingLedger(
            sp.GetService<IIdentityStateStore>() ?? throw new InvalidOperationException(SnapshotIdentityResolver.PairingNeedsStateStore),
            sp.GetRequiredService<IOptions<PairingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            Logger(sp)));
        services.TryAddSingleton(sp => new PairedIdentitySnapshotProvider(
            Configured(sp),
            sp.GetRequiredService<IIdentityStateStore>(),
            sp.GetRequiredService<IOptions<PairingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            Logger(sp)));
        services.TryAddSingleton(sp => new Pairings(
            sp.GetService<IIdentityStateStore>() is null ? null : sp.GetRequiredService<PairingLedger>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<ICurrentProfile>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>()));
    }

    // The snapshot provider: identities.yaml (with the identity directory's people when one is registered), merged with the
    // paired accounts when there is a store to keep them in: revision "<yaml>+d<directory version>+p<paired version>".
    public static IIdentitySnapshotProvider Snapshots(IServiceProvider sp) => sp.GetService<IIdentityStateStore>() is null
        ? Configured(sp)
        : sp.GetRequiredService<PairedIdentitySnapshotProvider>();

    private static IIdentitySnapshotProvider Configured(IServiceProvider sp) => sp.GetService<IIdentityDirectory>() is null
        ? sp.GetRequiredService<YamlIdentitySnapshotProvider>()
        : sp.GetRequiredService<DirectoryIdentitySnapshotProvider>();

    public static IIdentityResolver Resolver(IServiceProvider sp)
    {
        var snapshots = sp.GetRequiredService<IIdentitySnapshotProvider>();
        var resolver = new SnapshotIdentityResolver(snapshots, sp.GetRequiredService<HermesMetrics>(), sp.GetService<ILoggerFactory>());
        return sp.GetService<IIdentityStateStore>() is null
            ? resolver
            : new PairingIdentityResolver(resolver, snapshots, sp.GetRequiredService<PairingLedger>());
    }

    private static ILogger Logger(IServiceProvider sp) => (sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Pairing");
}
