namespace Hermes.Identity.Directories;

/// <summary>How the snapshot in force follows an <see cref="IIdentityDirectory"/>. Validated when the host starts.</summary>
public sealed class IdentityDirectoryOptions
{
    /// <summary>
    /// How often the directory is asked what changed: a change made by another process (or replica) is in force within
    /// this long. Default 1 second; 100 milliseconds to 1 minute. A change made in this process through a directory that
    /// signals it (<see cref="IIdentityDirectory.GetChangeToken"/>) is in force when the writing call returns.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
