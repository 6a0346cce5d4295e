using Microsoft.Extensions.Options;

namespace Hermes.Identity.Policy;

// Ranges that keep a typo from turning a timeout into "never" or an approval into "forever".
internal sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        var failures = new List<string>();
        if (options.BackendTimeout < TimeSpan.FromMilliseconds(1) || options.BackendTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"PolicyOptions.BackendTimeout is {options.BackendTimeout}; use a value from 1 millisecond to 5 minutes.");
        }

        if (options.ApprovalLifetime < TimeSpan.FromSeconds(1) || options.ApprovalLifetime > TimeSpan.FromDays(1))
        {
            failures.Add($"PolicyOptions.ApprovalLifetime is {options.ApprovalLifetime}; use a value from 1 second to 1 day.");
        }

        if (options.ApprovalRequestLifetime < TimeSpan.FromMinutes(1) || options.ApprovalRequestLifetime > TimeSpan.FromDays(7))
        {
            failures.Add($"PolicyOptions.ApprovalRequestLifetime is {options.ApprovalRequestLifetime}; use a value from 1 minute to 7 days.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
