namespace Hermes.Identity;

/// <summary>
/// One person as the agent host knows them: a profile key, a role, the platform accounts linked to
/// them, and where their data lives. Immutable; a config reload builds new profiles.
/// </summary>
public sealed class AgentProfile
{
    /// <summary>Creates a profile.</summary>
    /// <param name="key">The profile key, <c>[a-z0-9][a-z0-9_-]{0,63}</c>.</param>
    /// <param name="role">The role name, such as <c>owner</c>, <c>trusted</c> or <c>guest</c>.</param>
    /// <param name="paths">Where the profile's data lives; see <see cref="ProfilePaths.For(string, string)"/>.</param>
    /// <exception cref="ArgumentException">The key or role is not valid.</exception>
    public AgentProfile(string key, string role, ProfilePaths paths)
    {
        ProfileKey.ThrowIfInvalid(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        ArgumentNullException.ThrowIfNull(paths);
        Key = key;
        Role = role;
        Paths = paths;
        DisplayName = key;
    }

    /// <summary>The profile key: the folder name of this person's data.</summary>
    public string Key { get; }

    /// <summary>The role that decides what this person may do.</summary>
    public string Role { get; }

    /// <summary>Where this person's sessions, memory and workspace live.</summary>
    public ProfilePaths Paths { get; }

    /// <summary>The name configured for this person (not the one they show on a platform).</summary>
    public string DisplayName { get; init; }

    /// <summary>The platform accounts that resolve to this profile.</summary>
    public IReadOnlyList<PlatformPrincipal> Accounts { get; init; } = [];

    /// <summary>Whether this profile was admitted automatically as an unknown sender.</summary>
    public bool IsGuest { get; init; }

    /// <summary>Action patterns allowed to this person on top of their role.</summary>
    public IReadOnlyList<string> Allow { get; init; } = [];

    /// <summary>Action patterns denied to this person whatever their role allows.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => $"{Key} ({Role})";
}
