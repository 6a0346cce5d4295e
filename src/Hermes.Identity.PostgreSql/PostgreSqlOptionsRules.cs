using Microsoft.Extensions.Options;

namespace Hermes.Identity.PostgreSql;

// Every rule of PostgreSqlOptions, checked when the host starts.
internal sealed class PostgreSqlOptionsRules : IValidateOptions<PostgreSqlOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("PostgreSqlOptions.ConnectionString is empty; pass one: AddPostgreSql(o => o.ConnectionString = \"Host=...;Database=...;Username=...\").");
        }
        else
        {
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"PostgreSqlOptions.ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        if (!IsIdentifier(options.Schema))
        {
            failures.Add($"PostgreSqlOptions.Schema is '{options.Schema}'; use lower-case letters, digits and _, starting with a letter, at most 63 characters.");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"PostgreSqlOptions.MaxRetries is {options.MaxRetries}; use 0 to 20.");
        }

        if (options.RetryDelay < TimeSpan.FromMilliseconds(10) || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"PostgreSqlOptions.RetryDelay is {options.RetryDelay}; use 10 ms to 1 minute.");
        }

        if (options.MaxRetryDelay < options.RetryDelay || options.MaxRetryDelay > TimeSpan.FromMinutes(5))
        {
            failures.Add($"PostgreSqlOptions.MaxRetryDelay is {options.MaxRetryDelay}; use RetryDelay ({options.RetryDelay}) to 5 minutes.");
        }

        if (options.MaxMessageLength is < 1 or > 100_000_000)
        {
            failures.Add($"PostgreSqlOptions.MaxMessageLength is {options.MaxMessageLength}; use 1 to 100,000,000.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsIdentifier(string? value) =>
        value is { Length: > 0 and <= 63 } && value[0] is >= 'a' and <= 'z' && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');
}
