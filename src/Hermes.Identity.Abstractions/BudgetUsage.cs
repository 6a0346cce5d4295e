namespace Hermes.Identity;

/// <summary>How much of one budget a person has used in the current window: what <c>BudgetLedger.GetUsageAsync</c> reports.</summary>
public sealed class BudgetUsage
{
    internal BudgetUsage(string counter, BudgetWindow window, long limit, long used, DateTimeOffset resetsAt)
    {
        Counter = counter;
        Window = window;
        Limit = limit;
        Used = used;
        ResetsAt = resetsAt;
    }

    /// <summary>What is counted: <c>turns</c>, <c>tokens</c>, or <c>tool.&lt;category&gt;</c> (a pattern such as <c>tool.web.*</c> counts every category it matches together).</summary>
    public string Counter { get; }

    /// <summary>The window the budget counts in.</summary>
    public BudgetWindow Window { get; }

    /// <summary>The limit in force for this person in this window.</summary>
    public long Limit { get; }

    /// <summary>How much was counted in the current window, as this process knows it (other processes' counts arrive within about a second).</summary>
    public long Used { get; }

    /// <summary>What is left: <see cref="Limit"/> minus <see cref="Used"/>, never below 0.</summary>
    public long Remaining => Math.Max(0, Limit - Used);

    /// <summary>When the current window ends and the count starts again from 0.</summary>
    public DateTimeOffset ResetsAt { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Counter} per {(Window == BudgetWindow.Hour ? "hour" : "day")}: {Used}/{Limit}, resets at {ResetsAt.UtcDateTime:u}";
}
