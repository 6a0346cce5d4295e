namespace Hermes.Identity;

/// <summary>
/// The window a budget counts in. Windows are fixed and aligned to UTC: an hourly budget counts from the start of the
/// UTC hour and resets at the next full hour (14:00 UTC, 15:00 UTC, …); a daily budget counts from 00:00 UTC and
/// resets at the next 00:00 UTC.
/// </summary>
public enum BudgetWindow
{
    /// <summary>From the start of the current UTC hour to the next.</summary>
    Hour,

    /// <summary>From 00:00 UTC today to 00:00 UTC tomorrow.</summary>
    Day,
}
