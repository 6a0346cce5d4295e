using Microsoft.Extensions.Options;

namespace Hermes.Identity.Pairing;

// Ranges that keep a typo from turning a limit off ("0 pending", "a lock of 0") or a code into "forever".
internal sealed class PairingOptionsValidator : IValidateOptions<PairingOptions>
{
    public ValidateOptionsResult Validate(string? name, PairingOptions options)
    {
        var failures = new List<string>();
        Check(options.CodeLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), nameof(PairingOptions.CodeLifetime), "1 minute to 7 days", failures);
        Check(options.RequestInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), nameof(PairingOptions.RequestInterval), "1 second to 1 day", failures);
        Check(options.LockoutDuration, TimeSpan.FromMinutes(1), TimeSpan.FromDays(7), nameof(PairingOptions.LockoutDuration), "1 minute to 7 days", failures);
        Check(options.LinkCodeLifetime, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), nameof(PairingOptions.LinkCodeLifetime), "1 minute to 1 day", failures);
        Check(options.LinkRetryInterval, TimeSpan.Zero, TimeSpan.FromHours(1), nameof(PairingOptions.LinkRetryInterval), "0 to 1 hour", failures);
        Check(options.RefreshInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), nameof(PairingOptions.RefreshInterval), "100 milliseconds to 1 minute", failures);
        if (options.MaxPendingPerPlatform is < 1 or > 100)
        {
            failures.Add($"PairingOptions.MaxPendingPerPlatform is {options.MaxPendingPerPlatform}; use 1 to 100.");
        }

        if (options.MaxFailedAttempts is < 1 or > 100)
        {
            failures.Add($"PairingOptions.MaxFailedAttempts is {options.MaxFailedAttempts}; use 1 to 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string property, string range, List<string> failures)
    {
        if (value < min || value > max)
        {
            failures.Add($"PairingOptions.{property} is {value}; use a value from {range}.");
        }
    }
}
