namespace Hermes.Identity.Configuration.Roles;

/// <summary>One rule as compiled: where it came from, its kind and pattern, the chats it holds in, and the id decisions cite.</summary>
/// <param name="Source"><c>role:trusted</c> or <c>identity:mei</c>.</param>
/// <param name="Kind">Allow, deny or require approval.</param>
/// <param name="Pattern">The action pattern.</param>
/// <param name="Chats">Where it holds: <see cref="ChatKinds.Always"/> for a rule without a condition.</param>
internal sealed record CompiledRule(string Source, RuleKind Kind, string Pattern, ChatKinds Chats = ChatKinds.Always)
{
    /// <summary>The id decisions cite, such as <c>role:trusted/allow/tool.files.*</c> or <c>role:trusted/allow/tool.exec[chat:direct]</c>.</summary>
    public string Id { get; } = $"{Source}/{KindName(Kind)}/{Pattern}{(Chats == ChatKinds.Always ? string.Empty : $"[chat:{ChatList(Chats, ",")}]")}";

    /// <summary>Whether the rule holds only in some kinds of chat.</summary>
    public bool IsConditional => Chats != ChatKinds.Always;

    /// <summary>
    /// Whether the rule is in force for a decision in <paramref name="chat"/> (<see langword="null"/>: no chat, a decision
    /// outside a turn). Outside a chat a condition on the chat cannot hold, and the reading is the one that fails closed: a
    /// conditional allow is not in force, a conditional deny or require-approval is.
    /// </summary>
    public bool InForce(ChatKind? chat) => chat is { } kind
        ? (Chats & (ChatKinds)(1 << (int)kind)) != 0
        : !IsConditional || Kind != RuleKind.Allow;

    public static string KindName(RuleKind kind) => kind switch
    {
        RuleKind.Allow => "allow",
        RuleKind.Deny => "deny",
        _ => "require_approval",
    };

    /// <summary>The chat kinds of <paramref name="chats"/> as identities.yaml names them: <c>group,channel</c>.</summary>
    public static string ChatList(ChatKinds chats, string separator) =>
        string.Join(separator, Enum.GetValues<ChatKind>().Where(k => (chats & (ChatKinds)(1 << (int)k)) != 0).Select(ChatName));

    /// <summary>The chat kinds of <paramref name="chats"/> in words: <c>a group or a channel</c>.</summary>
    public static string ChatPhrase(ChatKinds chats)
    {
        var phrases = Enum.GetValues<ChatKind>().Where(k => (chats & (ChatKinds)(1 << (int)k)) != 0).Select(ChatPhrase).ToList();
        return phrases.Count <= 1 ? string.Concat(phrases) : $"{string.Join(", ", phrases[..^1])} or {phrases[^1]}";
    }

    /// <summary>A chat kind in words: <c>a direct chat</c>, <c>a group</c>, <c>a channel</c>, <c>a thread</c>.</summary>
    public static string ChatPhrase(ChatKind kind) => kind switch
    {
        ChatKind.Direct => "a direct chat",
        ChatKind.Group => "a group",
        ChatKind.Channel => "a channel",
        _ => "a thread",
    };

    /// <summary>A chat kind as identities.yaml names it: <c>direct</c>, <c>group</c>, <c>channel</c>, <c>thread</c>.</summary>
    public static string ChatName(ChatKind kind) => kind switch
    {
        ChatKind.Direct => "direct",
        ChatKind.Group => "group",
        ChatKind.Channel => "channel",
        _ => "thread",
    };
}
