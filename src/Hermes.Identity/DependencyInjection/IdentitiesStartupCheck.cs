using Hermes.Identity;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// An options type with no settings whose validation loads the identities: ValidateOnStart makes the
// host refuse to start on a missing or invalid identities.yaml, with its file:line:col message.
internal sealed class IdentitiesStartupCheck
{
    internal sealed class Validator(IIdentitySnapshotProvider snapshots) : IValidateOptions<IdentitiesStartupCheck>
    {
        public ValidateOptionsResult Validate(string? name, IdentitiesStartupCheck options)
        {
            try
            {
                _ = snapshots.Current;
                return ValidateOptionsResult.Success;
            }
            catch (IdentityConfigException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
