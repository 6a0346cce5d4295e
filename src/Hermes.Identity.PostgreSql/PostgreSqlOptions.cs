namespace Hermes.Identity.PostgreSql;

/// <summary>
/// Settings of the PostgreSQL stores (<c>AddPostgreSql</c>, <c>AddPostgreSqlState</c>, <c>AddPostgreSqlSessions</c>,
/// <c>AddPostgreSqlMemory</c>): one set shared by all of them. Validated when the host starts.
/// </summary>
public sealed class PostgreSqlOptions
{
    /// <summary>
    /// The Npgsql connection string, such as <c>Host=db;Database=hermes;Username=hermes;Password=...</c>. Required.
    /// The user needs to create tables in <see cref="Schema"/> (and, once, the <c>pg_trgm</c> extension).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The schema that holds the tables, created when missing. Lower-case letters, digits and <c>_</c>, starting with a
    /// letter, at most 63 characters; default: <c>hermes</c>. Several deployments may share a database with one schema each.
    /// </summary>
    public string Schema { get; set; } = "hermes";

    /// <summary>
    /// How many times an operation that failed because the server could not be reached (or was restarting, or refused
    /// connections for now) is tried again before it fails. 0 to 20; default: 5.
    /// </summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// The wait before the first retry; each next wait doubles, up to <see cref="MaxRetryDelay"/>. 10 ms to 1 minute;
    /// default: 200 ms. With the defaults, an operation gives up after about 6 s (0.2 + 0.4 + 0.8 + 1.6 + 3.2).
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two tries. From <see cref="RetryDelay"/> to 5 minutes; default: 5 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest message the session store accepts, in characters. 1 to 100,000,000; default: 1,000,000.</summary>
    public int MaxMessageLength { get; set; } = 1_000_000;
}
