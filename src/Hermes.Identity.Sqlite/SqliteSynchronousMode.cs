namespace Hermes.Identity.Sqlite;

/// <summary>SQLite's <c>PRAGMA synchronous</c> setting for the session databases and the state database (always in WAL mode). OFF is not offered.</summary>
public enum SqliteSynchronousMode
{
    /// <summary>Sync the WAL on every commit: a committed write survives a power loss. The default.</summary>
    Full = 0,

    /// <summary>Sync only at checkpoints: survives a crash of the process; a power loss may undo the last commits.</summary>
    Normal = 1,

    /// <summary>Like <see cref="Full"/>, and also sync the directory after deleting a journal.</summary>
    Extra = 2,
}
