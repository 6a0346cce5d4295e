using System.Globalization;

namespace Hermes.Identity.Cli.Output;

/// <summary>Times as the tool prints them: UTC, ISO 8601 to the second.</summary>
internal static class Times
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? time) => time is { } t ? Format(t) : null;

    /// <summary>Parses 90s, 30m, 2h, 7d.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }

        throw new ArgumentException($"'{text}' is not a duration: write a positive number and s, m, h or d (90s, 30m, 2h, 7d).");
    }
}
