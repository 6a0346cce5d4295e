namespace Hermes.Identity.Directories;

/// <summary>What changed in an <see cref="IIdentityDirectory"/> after a version: applied to the snapshot in force as a delta.</summary>
public sealed class DirectoryChanges
{
    /// <summary>Creates the changes that bring the directory to <paramref name="version"/>.</summary>
    /// <param name="version">The directory's version after these changes.</param>
    /// <param name="changed">The current entry of every person added or changed.</param>
    /// <param name="removed">The key of every person removed. A key must not be in both lists.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is negative.</exception>
    /// <exception cref="ArgumentNullException">A list is <see langword="null"/>.</exception>
    public DirectoryChanges(long version, IReadOnlyList<DirectoryPerson> changed, IReadOnlyList<string> removed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removed);
        Version = version;
        Changed = changed;
        Removed = removed;
    }

    /// <summary>The directory's version after these changes.</summary>
    public long Version { get; }

    /// <summary>The current entry of every person added or changed.</summary>
    public IReadOnlyList<DirectoryPerson> Changed { get; }

    /// <summary>The key of every person removed.</summary>
    public IReadOnlyList<string> Removed { get; }
}
