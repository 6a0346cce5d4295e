namespace Hermes.Identity.Cli.Commands;

/// <summary>How decisions and chat kinds are written on the command line and in JSON.</summary>
internal static class PolicyWords
{
    public static readonly string[] Actions =
    [
        PolicyActions.MemoryRead, PolicyActions.MemoryWrite, PolicyActions.MemorySharedRead, PolicyActions.MemorySharedWrite,
        PolicyActions.SessionsReadAll, PolicyActions.WorkspaceRead, PolicyActions.WorkspaceWrite, PolicyActions.ApprovalGrant,
        PolicyActions.IdentityAdmin, PolicyActions.ProfileExport, PolicyActions.ProfileErase,
    ];

    /// <summary>The tool categories every configuration knows (docs/policy.md), before those the tools: map adds.</summary>
    public static readonly string[] BuiltInToolCategories = ["exec", "files.read", "files.write", "web.search", "memory", "sessions"];

    public static string Effect(PolicyEffect effect) => effect switch
    {
        PolicyEffect.Allow => "allow",
        PolicyEffect.RequireApproval => "approval",
        _ => "deny",
    };

    public static ChatKind ParseChat(string value) => value switch
    {
        "direct" or "dm" => ChatKind.Direct,
        "group" => ChatKind.Group,
        "channel" => ChatKind.Channel,
        "thread" => ChatKind.Thread,
        _ => throw new ArgumentException($"--chat takes direct, group, channel or thread, not '{value}'."),
    };

    public static string Chat(ChatKind kind) => kind.ToString().ToLowerInvariant();
}
