using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite;

// The rules attributes cannot state: time spans and enum values.
internal sealed class SqliteSessionOptionsRules : IValidateOptions<SqliteSessionOptions>
{
    internal static readonly TimeSpan MinBusyTimeout = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, SqliteSessionOptions options)
    {
        var failures = new List<string>();
        if (options.BusyTimeout < MinBusyTimeout || options.BusyTimeout > MaxBusyTimeout)
        {
            failures.Add($"SqliteSessionOptions.BusyTimeout is {options.BusyTimeout}; use a value from 100 ms to 10 minutes.");
        }

        if (!Enum.IsDefined(options.Synchronous))
        {
            failures.Add($"SqliteSessionOptions.Synchronous is {(int)options.Synchronous}; use Full, Normal or Extra.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
