namespace Hermes.Identity;

/// <summary>An action pattern with a condition on the chat: <c>{ action: tool.exec, when: { chat: direct } }</c> in identities.yaml.</summary>
/// <param name="Pattern">The action pattern.</param>
/// <param name="Chats">The kinds of chat it holds in; never <see cref="ChatKinds.NoChat"/>.</param>
internal sealed record ConditionalPattern(string Pattern, ChatKinds Chats);
