namespace Hermes.Identity;

/// <summary>The action names the library checks. Tool calls are <c>tool.&lt;category&gt;</c>.</summary>
public static class PolicyActions
{
    /// <summary>The prefix of tool-call actions: <c>tool.&lt;category&gt;</c>, the tool's name in the resource.</summary>
    internal const string ToolPrefix = "tool.";

    /// <summary>Read the bound profile's own memory.</summary>
    public static readonly string MemoryRead = "memory.read";

    /// <summary>Write the bound profile's own memory.</summary>
    public static readonly string MemoryWrite = "memory.write";

    /// <summary>Read the shared memory, <c>memories/_shared/</c>.</summary>
    public static readonly string MemorySharedRead = "memory.shared.read";

    /// <summary>Write the shared memory.</summary>
    public static readonly string MemorySharedWrite = "memory.shared.write";

    /// <summary>Read every profile's sessions (the owner's "sees all").</summary>
    public static readonly string SessionsReadAll = "sessions.read.all";

    /// <summary>Read files in the bound profile's workspace.</summary>
    public static readonly string WorkspaceRead = "workspace.read";

    /// <summary>Write, create and delete files in the bound profile's workspace.</summary>
    public static readonly string WorkspaceWrite = "workspace.write";

    /// <summary>Approve a call that needs approval.</summary>
    public static readonly string ApprovalGrant = "approval.grant";

    /// <summary>Administer identities: export or erase another person's data.</summary>
    public static readonly string IdentityAdmin = "identity.admin";

    /// <summary>Export a profile's data (sessions, memory, workspace); another person's also needs <see cref="IdentityAdmin"/>.</summary>
    public static readonly string ProfileExport = "profile.export";

    /// <summary>Erase a profile's data; another person's also needs <see cref="IdentityAdmin"/>.</summary>
    public static readonly string ProfileErase = "profile.erase";

    /// <summary>The non-tool actions, in the order documented.</summary>
    internal static IReadOnlyList<string> All { get; } =
    [
        MemoryRead, MemoryWrite, MemorySharedRead, MemorySharedWrite, SessionsReadAll,
        WorkspaceRead, WorkspaceWrite, ApprovalGrant, IdentityAdmin, ProfileExport, ProfileErase,
    ];

    /// <summary>The tool categories every configuration knows, whether or not <c>tools:</c> maps a tool to them.</summary>
    internal static IReadOnlyList<string> BuiltInToolCategories { get; } =
        ["exec", "files.read", "files.write", "web.search", "memory", "sessions"];

    internal static string ForToolCategory(string category) => ToolPrefix + category;
}
