using Microsoft.Extensions.Options;

namespace Hermes.Identity.Sqlite;

// The rules of SqliteStateOptions: time spans and enum values, which attributes cannot state.
internal sealed class SqliteStateOptionsRules : IValidateOptions<SqliteStateOptions>
{
    internal static readonly TimeSpan MinBusyTimeout = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan MaxBusyTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, SqliteStateOptions options)
    {
        var failures = new List<string>();
        if (options.BusyTimeout < MinBusyTimeout || options.BusyTimeout > MaxBusyTimeout)
        {
            failures.Add($"SqliteStateOptions.BusyTimeout is {options.BusyTimeout}; use a value from 100 ms to 10 minutes.");
        }

        if (!Enum.IsDefined(options.Synchronous))
        {
            failures.Add($"SqliteStateOptions.Synchronous is {(int)options.Synchronous}; use Full, Normal or Extra.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
