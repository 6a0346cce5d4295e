namespace Hermes.Identity.Budgets;

/// <summary>One budget of one person under one configuration: the counter it draws on, its limit and where the limit comes from.</summary>
/// <param name="Counter">What is counted (<c>turns</c>, <c>tokens</c>, <c>tool.web</c>).</param>
/// <param name="Window">Hour or day.</param>
/// <param name="Limit">The limit in force.</param>
/// <param name="Source">Who set it: <c>role:guest</c> or <c>identity:mei</c>.</param>
/// <param name="Count">The person's live counter.</param>
internal sealed record BudgetCell(string Counter, BudgetWindow Window, long Limit, string Source, WindowCounter Count)
{
    /// <summary>The id a refusal cites, such as <c>budget:role:guest/turns/hour</c>.</summary>
    public string RuleId { get; } = $"budget:{Source}/{Counter}/{(Window == BudgetWindow.Hour ? "hour" : "day")}";
}
