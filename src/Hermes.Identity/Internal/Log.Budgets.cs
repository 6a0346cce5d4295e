using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// Budgets: 1600-1699.
internal static partial class Log
{
    [LoggerMessage(1600, LogLevel.Information, "Budget refused {What} for {Profile}: {Reason}", EventName = "BudgetRefused")]
    public static partial void BudgetRefused(ILogger logger, string what, string profile, string reason);

    [LoggerMessage(1601, LogLevel.Warning, "Could not write budget counters to the state store; they stay counted in this process and are written at the next flush. {Error}", EventName = "BudgetFlushFailed")]
    public static partial void BudgetFlushFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(1602, LogLevel.Warning, "Could not read the budget counters of {Profile} from the state store, so what they limit is refused: {Error}", EventName = "BudgetLoadFailed")]
    public static partial void BudgetLoadFailed(ILogger logger, string profile, string error);
}
