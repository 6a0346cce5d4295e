namespace Hermes.Identity.Budgets;

// Fixed windows aligned to UTC: window n of a kind runs from the Unix epoch plus n hours (or days) to n + 1.
internal static class BudgetClock
{
    private static readonly long Epoch = DateTime.UnixEpoch.Ticks;

    public static long Index(BudgetWindow window, DateTimeOffset now) => (now.UtcTicks - Epoch) / TicksPer(window);

    public static long HourIndex(DateTimeOffset now) => (now.UtcTicks - Epoch) / TimeSpan.TicksPerHour;

    public static long DayIndex(DateTimeOffset now) => (now.UtcTicks - Epoch) / TimeSpan.TicksPerDay;

    /// <summary>When window <paramref name="index"/> ends: the reset time a refusal names.</summary>
    public static DateTimeOffset End(BudgetWindow window, long index) => new(Epoch + ((index + 1) * TicksPer(window)), TimeSpan.Zero);

    /// <summary>"14:00 UTC" for an hour; "00:00 UTC (2026-11-30)" for a day.</summary>
    public static string DescribeReset(BudgetWindow window, long index)
    {
        var end = End(window, index).UtcDateTime;
        return window == BudgetWindow.Hour
            ? end.ToString("HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)
            : end.ToString("HH:mm 'UTC ('yyyy-MM-dd')'", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Adjective(BudgetWindow window) => window == BudgetWindow.Hour ? "hourly" : "daily";

    private static long TicksPer(BudgetWindow window) => window == BudgetWindow.Hour ? TimeSpan.TicksPerHour : TimeSpan.TicksPerDay;
}
