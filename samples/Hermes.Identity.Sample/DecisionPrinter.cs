using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Sample;

/// <summary>
/// Prints the library's own decision log as it happens: each tool call the adapter judged (event 700 refused,
/// 701 allowed) and each store access the policy engine judged (events 400/401 for memory, workspace, sessions).
/// The sender is read from the turn in progress, the one the decision was made for.
/// </summary>
public sealed class DecisionPrinter(TextWriter output) : ILoggerProvider
{
    private readonly List<(string Profile, bool Allowed, string What)> _decisions = [];

    /// <summary>Set once the host's services exist: the decision's turn is read from it.</summary>
    public ICurrentProfile? Current { get; set; }

    /// <summary>While true, nothing is printed or recorded (the closing report reads the stores itself).</summary>
    public bool Muted { get; set; }

    /// <summary>Every printed decision: the profile, whether it was allowed, and the tool or action.</summary>
    public IReadOnlyList<(string Profile, bool Allowed, string What)> Decisions
    {
        get
        {
            lock (_decisions)
            {
                return [.. _decisions];
            }
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => categoryName switch
    {
        "Hermes.Identity.AI" or "Hermes.Identity.Policy" => new Printer(this, categoryName == "Hermes.Identity.AI"),
        _ => Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
    };

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Print(bool allowed, string what, string reason)
    {
        if (Muted || Current is not { IsInTurn: true } current)
        {
            return;
        }

        var turn = current.Turn;
        lock (_decisions)
        {
            _decisions.Add((turn.Profile.Key, allowed, what));
            lock (output)
            {
                output.WriteLine($"    policy: {(allowed ? "ALLOW" : "DENY")} {what} for {turn.Profile.Key} ({turn.Profile.Role}, {turn.Sender.Principal}){(reason.Length > 0 ? ": " + reason : string.Empty)}");
            }
        }
    }

    private sealed class Printer(DecisionPrinter owner, bool isAdapter) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => !owner.Muted;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            string Field(string name) => $"{fields.FirstOrDefault(f => f.Key == name).Value}";
            if (isAdapter && eventId.Id is 700 or 701)
            {
                // A tool call, judged when the model made it.
                owner.Print(eventId.Id == 701, "tool call " + Field("ToolName"), eventId.Id == 700 ? Field("Reason") : string.Empty);
            }
            else if (!isAdapter && eventId.Id is 400 or 401 && Field("Action") is var action
                && !action.StartsWith("tool.", StringComparison.Ordinal) && action is not ("memory.read" or "memory.shared.read"))
            {
                // A store access. Tool calls are printed above, once, by the adapter; the memory reads that fill
                // every prompt would repeat on every message.
                var resource = Field("Resource");
                owner.Print(eventId.Id == 400, action + (resource.Length > 0 ? " " + resource : string.Empty), eventId.Id == 401 ? Field("Reason") : string.Empty);
            }
        }
    }
}
