using Microsoft.Extensions.Logging;

namespace Hermes.Identity.PostgreSql.Gateway;

// Prints "log <EventName>" for the PostgreSQL listener's events (803 to 806), so a test waits for the listener to
// connect, lose its connection and connect again as it waits for any other line.
internal sealed class StdoutEventLogger : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id is >= 803 and <= 806)
        {
            Console.WriteLine($"log {eventId.Name}");
        }
    }

    public void Dispose()
    {
    }
}
