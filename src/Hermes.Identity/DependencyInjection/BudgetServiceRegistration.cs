using Hermes.Identity;
using Hermes.Identity.Budgets;
using Hermes.Identity.Internal;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// The budgets part of AddHermesIsolation: the ledger (a singleton the engine and the turn factory charge, disposed with
// the provider so that its counts are written), and a start-up check that a configuration with budgets has a store.
internal static class BudgetServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new BudgetLedger(
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetService<IIdentityStateStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            sp.GetService<ILoggerFactory>()));
        services.AddOptionsWithValidateOnStart<BudgetsStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BudgetsStartupCheck>, BudgetsStartupCheck.Validator>());
    }
}
