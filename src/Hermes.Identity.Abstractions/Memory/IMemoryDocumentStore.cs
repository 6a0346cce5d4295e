namespace Hermes.Identity.Memory;

/// <summary>
/// Where the memory entries live when they are not files under the data root: a database shared by several replicas,
/// such as <c>AddPostgreSqlMemory()</c> in Hermes.Identity.PostgreSql. Register one as a singleton and
/// <see cref="IMemoryStore"/> reads and edits the entries through it, keeping every rule of its own (the policy, the
/// entry rules, the limits and the errors), so a host sees the same memory whatever keeps it. Without one, the
/// entries are the files <c>MEMORY.md</c> and <c>USER.md</c> under the data root.
/// </summary>
/// <remarks>
/// A document is one <see cref="MemoryFile"/> of one profile (<see cref="MemoryFile.Shared"/> is one document for every
/// profile). A store must never lose an edit made concurrently by another process: an edit applies to the entries as
/// they are when it is written (re-read and run again when they changed meanwhile). Storage failures are thrown as any
/// exception; <see cref="IMemoryStore"/> turns them into a <see cref="MemoryException"/> that says what to do.
/// </remarks>
public interface IMemoryDocumentStore
{
    /// <summary>The entries of the document, in order; empty when there is none.</summary>
    /// <param name="profileKey">The profile whose memory it is (not used for <see cref="MemoryFile.Shared"/>).</param>
    /// <param name="file">Which document.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<string>> ReadAsync(string profileKey, MemoryFile file, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="edit"/> on the document's current entries and stores the result when it returns
    /// <see langword="true"/>, only if nobody changed the document in between; otherwise reads it again and runs
    /// <paramref name="edit"/> again, on a fresh list. An exception from <paramref name="edit"/> leaves the document
    /// unchanged and is thrown as it is.
    /// </summary>
    /// <param name="profileKey">The profile whose memory it is (not used for <see cref="MemoryFile.Shared"/>).</param>
    /// <param name="file">Which document.</param>
    /// <param name="edit">Changes the list in place; returns whether anything changed. May run more than once.</param>
    /// <param name="cancellationToken">Cancels the edit before it is written.</param>
    /// <returns>The entries after the edit (as the last run of <paramref name="edit"/> left them).</returns>
    ValueTask<IReadOnlyList<string>> UpdateAsync(string profileKey, MemoryFile file, Func<List<string>, bool> edit, CancellationToken cancellationToken = default);
}
