namespace Hermes.Identity;

/// <summary>One budget as configured: a counter (<c>turns</c>, <c>tokens</c>, <c>tool.web.search</c>, <c>tool.web.*</c>) in one window.</summary>
/// <param name="Counter">What is counted.</param>
/// <param name="Window">The window it counts in.</param>
internal readonly record struct BudgetKey(string Counter, BudgetWindow Window)
{
    /// <summary>The counter of turns begun.</summary>
    public const string Turns = "turns";

    /// <summary>The counter of model tokens used.</summary>
    public const string Tokens = "tokens";

    /// <summary>How the key is written in a stored record: <c>turns/h</c>, <c>tool.web.*/d</c>.</summary>
    public string StoredName => Counter + (Window == BudgetWindow.Hour ? "/h" : "/d");
}
