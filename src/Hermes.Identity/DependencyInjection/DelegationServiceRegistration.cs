using Hermes.Identity;
using Hermes.Identity.Delegations;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// The delegation part of AddHermesIsolation: the registry over the state store. The store is optional until a
// delegation is used: the registry then says to call AddSqliteState().
internal static class DelegationServiceRegistration
{
    public static void Add(IServiceCollection services) =>
        services.TryAddSingleton(sp => new DelegationRegistry(
            sp.GetService<IIdentityStateStore>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<IOptions<HermesIsolationOptions>>().Value.Root,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            sp.GetService<ILoggerFactory>()));
}
