namespace Hermes.Identity;

/// <summary>Where one profile's data lives under the data root.</summary>
/// <param name="SessionDatabase"><c>agents/&lt;key&gt;/state.db</c>: the profile's sessions and messages.</param>
/// <param name="MemoryDirectory"><c>memories/&lt;key&gt;/</c>: the profile's MEMORY.md and USER.md.</param>
/// <param name="WorkspaceDirectory"><c>workspaces/&lt;key&gt;/</c>: the profile's files.</param>
public sealed record ProfilePaths(string SessionDatabase, string MemoryDirectory, string WorkspaceDirectory)
{
    /// <summary>The folder under the root that holds the shared memory, <c>memories/_shared</c>.</summary>
    public const string SharedMemoryFolder = "_shared";

    /// <summary>Computes the paths of profile <paramref name="key"/> under <paramref name="root"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid profile key.</exception>
    public static ProfilePaths For(string root, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ProfileKey.ThrowIfInvalid(key);
        var fullRoot = Path.GetFullPath(root);
        return new ProfilePaths(
            Path.Combine(fullRoot, "agents", key, "state.db"),
            Path.Combine(fullRoot, "memories", key),
            Path.Combine(fullRoot, "workspaces", key));
    }
}
