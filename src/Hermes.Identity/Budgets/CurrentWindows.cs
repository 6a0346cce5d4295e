namespace Hermes.Identity.Budgets;

// The hour and day a moment falls in, and the bounds of that hour (in UTC ticks): made once an hour by the ledger.
internal sealed class CurrentWindows
{
    public CurrentWindows(DateTimeOffset now)
    {
        Hour = BudgetClock.HourIndex(now);
        Day = BudgetClock.DayIndex(now);
        Start = BudgetClock.End(BudgetWindow.Hour, Hour - 1).UtcTicks;
        End = BudgetClock.End(BudgetWindow.Hour, Hour).UtcTicks;
    }

    public long Hour { get; }

    public long Day { get; }

    public long Start { get; }

    public long End { get; }
}
