using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Storage;

// Exclusive use of one profile's open database, for one operation.
internal sealed class SessionDatabaseLease : IDisposable
{
    private readonly SessionDatabasePool _pool;
    private readonly SessionDatabasePool.Entry _entry;
    private int _released;

    internal SessionDatabaseLease(SessionDatabasePool pool, SessionDatabasePool.Entry entry)
    {
        _pool = pool;
        _entry = entry;
        Connection = entry.Connection!;
    }

    public SqliteConnection Connection { get; }

    // After a storage error: the next operation opens the database afresh, so that a cause fixed meanwhile
    // (a read-only file made writable, space freed, a damaged file restored) takes effect without a restart.
    public void CloseAfterUse() => _entry.CloseAfterUse = true;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _pool.Release(_entry, gateHeld: true);
        }
    }
}
