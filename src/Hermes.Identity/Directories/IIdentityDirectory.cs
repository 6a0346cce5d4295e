using Microsoft.Extensions.Primitives;

namespace Hermes.Identity.Directories;

/// <summary>
/// A directory of people kept outside identities.yaml (a table in SQLite or PostgreSQL): who they are, their role and
/// their accounts. Roles and tools stay in identities.yaml; the snapshot in force is identities.yaml's plus these
/// people, and identities.yaml wins on any conflict. Register one with
/// <c>AddIdentityDirectory&lt;T&gt;()</c> or <c>AddSqliteDirectory()</c> (docs/directory.md).
/// </summary>
/// <remarks>
/// The directory has a version, a number that grows with every change (a write of several people may move it once).
/// The library reads everyone once (<see cref="ReadAllAsync"/>, after <see cref="GetVersionAsync"/>), then only what
/// changed (<see cref="GetChangesAsync"/>) every refresh interval and whenever <see cref="GetChangeToken"/> fires.
/// Reading a change twice must be harmless: changes carry each person's whole current entry.
/// </remarks>
public interface IIdentityDirectory
{
    /// <summary>The directory's current version: 0 for a directory that was never written.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The version.</returns>
    ValueTask<long> GetVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Every person in the directory, in any order, each key once. It includes at least every change up to the
    /// version <see cref="GetVersionAsync"/> returned just before; it may include later ones.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The people.</returns>
    IAsyncEnumerable<DirectoryPerson> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// What changed after <paramref name="sinceVersion"/>: the current entry of every person added or changed, and the
    /// key of every person removed, with the version they bring the directory to. <see langword="null"/> when the
    /// directory can no longer say (its change log was trimmed past that version): the library then reads everyone again.
    /// </summary>
    /// <param name="sinceVersion">The version last seen.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The changes, empty when there are none, or <see langword="null"/>.</returns>
    ValueTask<DirectoryChanges?> GetChangesAsync(long sinceVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// A token that fires after a change made in this process is committed, so the snapshot in force takes it at once
    /// (changes made elsewhere are seen within the refresh interval). Each token fires once; ask for a new one after.
    /// The default never fires.
    /// </summary>
    /// <returns>The token for the next change.</returns>
    IChangeToken GetChangeToken() => NeverChanges;

    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);
}
