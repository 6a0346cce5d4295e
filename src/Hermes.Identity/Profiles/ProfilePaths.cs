namespace Hermes.Identity;

/// <summary>
/// Where one profile's data lives under the data root. Only the library creates these, from the data root
/// and the profile key, so a profile's paths can never point at another person's files.
/// </summary>
public sealed class ProfilePaths
{
    internal const string SharedMemoryFolder = "_shared";

    private ProfilePaths(string sessionDatabase, string memoryDirectory, string workspaceDirectory, string memoryResource)
    {
        SessionDatabase = sessionDatabase;
        MemoryDirectory = memoryDirectory;
        WorkspaceDirectory = workspaceDirectory;
        NotesFile = Path.Combine(memoryDirectory, "MEMORY.md");
        UserFile = Path.Combine(memoryDirectory, "USER.md");
        MemoryResource = memoryResource;
    }

    /// <summary><c>&lt;root&gt;/agents/&lt;key&gt;/state.db</c>: the profile's sessions and messages.</summary>
    public string SessionDatabase { get; }

    /// <summary><c>&lt;root&gt;/memories/&lt;key&gt;/</c>: the profile's MEMORY.md and USER.md.</summary>
    public string MemoryDirectory { get; }

    /// <summary><c>&lt;root&gt;/workspaces/&lt;key&gt;/</c>: the profile's files.</summary>
    public string WorkspaceDirectory { get; }

    // Made once with the profile, not on every request that reads the memory: <memory>/MEMORY.md, <memory>/USER.md,
    // and the policy's name of the folder, memories/<key>/.
    internal string NotesFile { get; }

    internal string UserFile { get; }

    internal string MemoryResource { get; }

    // The one place a profile's paths are made: full root + validated key.
    internal static ProfilePaths For(string fullRoot, string key)
    {
        ProfileKey.ThrowIfInvalid(key);
        return new ProfilePaths(
            Path.Combine(fullRoot, "agents", key, "state.db"),
            Path.Combine(fullRoot, "memories", key),
            Path.Combine(fullRoot, "workspaces", key),
            $"memories/{key}/");
    }
}
