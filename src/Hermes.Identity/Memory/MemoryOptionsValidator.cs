using Microsoft.Extensions.Options;

namespace Hermes.Identity.Memory;

// Hand-written: [Range] on a TimeSpan needs reflection (not trim-safe), and the messages say what to set.
internal sealed class MemoryOptionsValidator : IValidateOptions<MemoryOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryOptions options)
    {
        var failures = new List<string>();
        CheckLimit(options.NotesLimit, nameof(MemoryOptions.NotesLimit), failures);
        CheckLimit(options.UserLimit, nameof(MemoryOptions.UserLimit), failures);
        CheckLimit(options.SharedLimit, nameof(MemoryOptions.SharedLimit), failures);
        if (options.LockTimeout < TimeSpan.FromMilliseconds(100) || options.LockTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"MemoryOptions.LockTimeout is {options.LockTimeout}; use a value from 100 ms to 5 minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckLimit(int value, string property, List<string> failures)
    {
        if (value is < 1 or > MemoryOptions.MaxLimit)
        {
            failures.Add($"MemoryOptions.{property} is {value}; use a number of characters from 1 to {MemoryOptions.MaxLimit:N0}.");
        }
    }
}
