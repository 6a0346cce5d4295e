namespace Hermes.Identity;

/// <summary>The roles every configuration starts with; <c>roles:</c> in identities.yaml may replace them.</summary>
public static class BuiltInRoles
{
    /// <summary>The owner: every action, unconfined workspace, sees every session.</summary>
    public const string Owner = "owner";

    /// <summary>A trusted person: files, search, web and memory, no exec; own data only.</summary>
    public const string Trusted = "trusted";

    /// <summary>A guest: read-only tools, own data only, read-only workspace.</summary>
    public const string Guest = "guest";

    /// <summary>The built-in definitions, by name.</summary>
    public static IReadOnlyDictionary<string, RoleDefinition> Definitions { get; } = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal)
    {
        [Owner] = new RoleDefinition(Owner)
        {
            Allow = ["*"],
            Workspace = WorkspaceConfinement.Unrestricted,
            IsBuiltIn = true,
        },
        [Trusted] = new RoleDefinition(Trusted)
        {
            Allow =
            [
                "tool.files.*", "tool.web.*", "tool.memory", "tool.sessions",
                "memory.read", "memory.write", "workspace.read", "workspace.write",
            ],
            IsBuiltIn = true,
        },
        [Guest] = new RoleDefinition(Guest)
        {
            Allow =
            [
                "tool.files.read", "tool.web.search", "tool.memory", "tool.sessions",
                "memory.read", "memory.write", "workspace.read",
            ],
            IsBuiltIn = true,
        },
    };
}
