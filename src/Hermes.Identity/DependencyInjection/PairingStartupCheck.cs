using Hermes.Identity;
using Hermes.Identity.Profiles;
using Hermes.Identity.State;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// An options type with no settings whose validation fails the start when identities.yaml says unknown_senders: pair and
// no state store is registered to keep the codes in, and reads the paired accounts once (a store that cannot be read
// fails the start rather than the first message).
internal sealed class PairingStartupCheck
{
    internal sealed class Validator(IIdentitySnapshotProvider snapshots, IServiceProvider services) : IValidateOptions<PairingStartupCheck>
    {
        public ValidateOptionsResult Validate(string? name, PairingStartupCheck options)
        {
            IdentitySnapshot snapshot;
            try
            {
                snapshot = snapshots.Current;
            }
            catch (IdentityConfigException)
            {
                return ValidateOptionsResult.Success; // IdentitiesStartupCheck reports it
            }
            catch (StateStoreException ex)
            {
                return ValidateOptionsResult.Fail($"The paired accounts cannot be read from the identity state store: {ex.Message}");
            }

            return snapshot.UnknownSenders == UnknownSenderPolicy.Pair && services.GetService(typeof(IIdentityStateStore)) is null
                ? ValidateOptionsResult.Fail(SnapshotIdentityResolver.PairingNeedsStateStore)
                : ValidateOptionsResult.Success;
        }
    }
}
