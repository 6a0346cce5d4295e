using System.ComponentModel.DataAnnotations;

namespace Hermes.Identity.Sqlite;

/// <summary>Settings of the SQLite session store. Validated when the host starts.</summary>
public sealed class SqliteSessionOptions
{
    /// <summary>
    /// How hard SQLite makes each commit durable. Default <see cref="SqliteSynchronousMode.Full"/>: an acknowledged
    /// write survives a crash of the process and of the machine. <see cref="SqliteSynchronousMode.Normal"/> still
    /// survives a crash of the process, but a power loss may undo the last commits.
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Full;

    /// <summary>
    /// How long a write waits for another process's write to finish before failing. 100 ms to 10 minutes; default: 30 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most profile databases kept open at once; the least recently used is closed when another must be opened.
    /// 1 to 100,000; default: 128.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxOpenDatabases { get; set; } = 128;

    /// <summary>The longest message accepted, in characters. 1 to 100,000,000; default: 1,000,000.</summary>
    [Range(1, 100_000_000)]
    public int MaxMessageLength { get; set; } = 1_000_000;
}
