namespace Hermes.Identity;

/// <summary>Gives the identity configuration in force. Implementations swap whole snapshots, never edit one.</summary>
public interface IIdentitySnapshotProvider
{
    /// <summary>The snapshot in force. Read it once per operation and use that one throughout.</summary>
    /// <exception cref="IdentityConfigException">No valid configuration was ever loaded.</exception>
    IdentitySnapshot Current { get; }
}
