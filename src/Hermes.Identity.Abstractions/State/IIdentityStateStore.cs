namespace Hermes.Identity.State;

/// <summary>
/// The durable store of the identity layer's own state: what spans messages (pending pairings and link codes, paired
/// accounts, approval requests and their answers, grants, delegations, budget counters). It is a small versioned
/// record store with an all-or-nothing compare-and-swap commit; every rule (codes, expiries, "runs exactly once",
/// limits) lives in the core on top of it, so every store enforces them the same way. The embedded default is one
/// SQLite database under the data root (<c>AddSqliteState()</c> in Hermes.Identity.Sqlite).
/// </summary>
/// <remarks>
/// <para>A store must be safe for concurrent use by several threads and, when its storage is shared, by several
/// processes: <see cref="TryCommitAsync"/> is the only way anything changes, and two commits whose expectations
/// overlap never both succeed.</para>
/// <para>Durability: once <see cref="TryCommitAsync"/> returns <see langword="true"/>, the changes survive a crash of
/// the process; a commit interrupted by a crash is applied completely or not at all.</para>
/// <para>Failures (storage unavailable, corrupt, full) are thrown as <see cref="StateStoreException"/>; the core then
/// refuses what depended on the state (fails closed) rather than acting on a guess.</para>
/// </remarks>
public interface IIdentityStateStore
{
    /// <summary>The record of <paramref name="kind"/> and <paramref name="key"/>, or <see langword="null"/> when there is none.</summary>
    /// <param name="kind">The kind of record, such as <c>pairing</c>. Compared ordinally.</param>
    /// <param name="key">The record's key within its kind. Compared ordinally.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<StateRecord?> GetAsync(string kind, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every record of <paramref name="kind"/> whose key starts with <paramref name="keyPrefix"/> (all of the kind when it is
    /// <see langword="null"/> or empty), ordered by key (ordinal).
    /// </summary>
    /// <param name="kind">The kind of record.</param>
    /// <param name="keyPrefix">An ordinal key prefix, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<StateRecord>> ListAsync(string kind, string? keyPrefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every change in <paramref name="changes"/> atomically, only if every change's
    /// <see cref="StateChange.ExpectedVersion"/> holds; otherwise applies none and returns <see langword="false"/>.
    /// Each record written gets a new <see cref="StateRecord.Version"/>, greater than any version the store has given
    /// before, and <see cref="GetSequenceAsync"/> then returns at least that version.
    /// </summary>
    /// <param name="changes">One to 64 changes, at most one per (kind, key).</param>
    /// <param name="cancellationToken">Cancels the commit before it is applied.</param>
    /// <returns><see langword="true"/> when the changes were applied and are durable.</returns>
    /// <exception cref="ArgumentException">No changes, more than 64, or two for the same record.</exception>
    ValueTask<bool> TryCommitAsync(IReadOnlyList<StateChange> changes, CancellationToken cancellationToken = default);

    /// <summary>
    /// The store's change sequence: the highest <see cref="StateRecord.Version"/> it has given (0 for an empty store).
    /// It grows with every successful commit, from any process sharing the store, so the core compares it with the
    /// value it last saw to notice changes made elsewhere.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<long> GetSequenceAsync(CancellationToken cancellationToken = default);
}
