using Microsoft.Extensions.Options;

namespace Hermes.Identity.Directories;

// A refresh of 0 would spin on the directory; one of an hour would leave a removed person in for an hour.
internal sealed class IdentityDirectoryOptionsValidator : IValidateOptions<IdentityDirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityDirectoryOptions options) =>
        options.RefreshInterval < TimeSpan.FromMilliseconds(100) || options.RefreshInterval > TimeSpan.FromMinutes(1)
            ? ValidateOptionsResult.Fail($"IdentityDirectoryOptions.RefreshInterval is {options.RefreshInterval}; use a value from 100 milliseconds to 1 minute.")
            : ValidateOptionsResult.Success;
}
