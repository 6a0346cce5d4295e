using Hermes.Identity;
using Hermes.Identity.PersonalData;
using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

// The export/erase part of AddHermesIsolation. The session store joins in when AddSqliteSessions registered it.
internal static class PersonalDataServiceRegistration
{
    public static void Add(IServiceCollection services) =>
        services.TryAddScoped(sp => new ProfileData(
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetService<ISessionFiles>(),
            sp.GetService<ILoggerFactory>()));
}
