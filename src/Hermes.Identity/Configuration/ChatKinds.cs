namespace Hermes.Identity;

// The chats a rule is in force in: one bit per ChatKind, and NoChat for decisions made outside any chat (an operator's
// ExplainAsync for a profile). A rule without a condition is Always; a rule with 'when: { chat: ... }' never has NoChat.
[Flags]
internal enum ChatKinds : byte
{
    None = 0,
    Direct = 1 << (int)ChatKind.Direct,
    Group = 1 << (int)ChatKind.Group,
    Channel = 1 << (int)ChatKind.Channel,
    Thread = 1 << (int)ChatKind.Thread,
    AnyChat = Direct | Group | Channel | Thread,
    NoChat = 16,
    Always = AnyChat | NoChat,
}
