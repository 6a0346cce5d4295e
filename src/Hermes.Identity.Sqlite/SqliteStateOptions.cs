namespace Hermes.Identity.Sqlite;

/// <summary>Settings of the SQLite state store (<c>state/identity.db</c> under the data root). Validated when the host starts.</summary>
public sealed class SqliteStateOptions
{
    /// <summary>
    /// How hard SQLite makes each commit durable. Default <see cref="SqliteSynchronousMode.Full"/>: an acknowledged
    /// commit survives a crash of the process and of the machine. <see cref="SqliteSynchronousMode.Normal"/> still
    /// survives a crash of the process, but a power loss may undo the last commits (a pairing or an approval could
    /// then be answered twice).
    /// </summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Full;

    /// <summary>
    /// How long a commit waits for another connection's commit (in this or another process) to finish before failing
    /// with a <see cref="Hermes.Identity.State.StateStoreException"/>. 100 ms to 10 minutes; default: 5 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
