using Hermes.Identity;
using Hermes.Identity.Budgets;
using Hermes.Identity.State;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// An options type with no settings whose validation fails the start when identities.yaml sets budgets and no state
// store is registered: the counters would have nowhere to live, and the first turn would fail instead.
internal sealed class BudgetsStartupCheck
{
    internal sealed class Validator(IServiceProvider services) : IValidateOptions<BudgetsStartupCheck>
    {
        public ValidateOptionsResult Validate(string? name, BudgetsStartupCheck options)
        {
            IdentitySnapshot snapshot;
            try
            {
                snapshot = services.GetRequiredService<IIdentitySnapshotProvider>().Current;
            }
            catch (IdentityConfigException)
            {
                return ValidateOptionsResult.Success; // IdentitiesStartupCheck reports it
            }

            return new BudgetPlan(snapshot).IsEmpty || services.GetService<IIdentityStateStore>() is not null
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(BudgetLedger.NoStoreMessage);
        }
    }
}
