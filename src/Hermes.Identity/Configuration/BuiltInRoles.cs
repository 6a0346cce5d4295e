using System.Collections.Frozen;

namespace Hermes.Identity;

/// <summary>The roles every configuration starts with; <c>roles:</c> in identities.yaml may replace them.</summary>
public static class BuiltInRoles
{
    /// <summary>The owner: every action, unconfined workspace, sees every session.</summary>
    public static readonly string Owner = "owner";

    /// <summary>A trusted person: files, search, web and memory, no exec; own data only.</summary>
    public static readonly string Trusted = "trusted";

    /// <summary>A guest: read-only tools, own data only, read-only workspace.</summary>
    public static readonly string Guest = "guest";

    /// <summary>The built-in definitions, by name. Immutable: to change a built-in role, redefine it under <c>roles:</c> in identities.yaml.</summary>
    internal static IReadOnlyDictionary<string, RoleDefinition> Definitions { get; } = new Dictionary<string, RoleDefinition>(StringComparer.Ordinal)
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
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
