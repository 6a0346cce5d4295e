using Microsoft.Extensions.Options;

namespace Hermes.Identity;

// The rules attributes cannot state: paths that can be used, enum values that exist.
internal sealed class HermesIsolationOptionsRules : IValidateOptions<HermesIsolationOptions>
{
    public ValidateOptionsResult Validate(string? name, HermesIsolationOptions options)
    {
        var failures = new List<string>();
        CheckPath(options.Root, nameof(HermesIsolationOptions.Root), failures);
        if (options.IdentitiesFile is not null)
        {
            CheckPath(options.IdentitiesFile, nameof(HermesIsolationOptions.IdentitiesFile), failures);
        }

        if (options.ReloadDelay < TimeSpan.Zero || options.ReloadDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"HermesIsolationOptions.ReloadDelay is {options.ReloadDelay}; use a value from 0 to 1 minute.");
        }

        if (!Enum.IsDefined(options.OnInvalidIdentitiesAtStartup))
        {
            failures.Add($"HermesIsolationOptions.OnInvalidIdentitiesAtStartup is {(int)options.OnInvalidIdentitiesAtStartup}; use FailStartup or DenyEveryone.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPath(string? path, string property, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"HermesIsolationOptions.{property} is empty. Set it to a folder path, such as \"hermes-data\".");
            return;
        }

        if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"HermesIsolationOptions.{property} holds characters that cannot be in a path.");
            return;
        }

        try
        {
            _ = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            failures.Add($"HermesIsolationOptions.{property} ('{path}') is not a usable path: {ex.Message}");
        }
    }
}
