using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Configuration.Yaml;

// The entries of an 'allow', 'deny' or 'require_approval' list, and an identity's 'automated:'. An entry is an action
// pattern, or a mapping that adds a condition on the kind of chat:
//
//   allow:
//     - tool.files.*
//     - { action: tool.exec, when: { chat: direct } }
//     - { action: [tool.web.*, tool.memory], when: { chat: [group, channel] } }
internal sealed partial class IdentitiesYamlReader
{
    private static readonly string[] EntryKeys = ["action", "when"];
    private static readonly string[] WhenKeys = ["chat"];
    private static readonly string[] ChatNames = ["direct", "group", "channel", "thread"];
    private static readonly string[] AutomatedNames = ["bot", "webhook", "relay"];

    private (string[] Always, ConditionalPattern[] Conditional) Patterns(YNode? node, string what, string[] knownActions)
    {
        if (node is null || node is YScalar { IsNull: true })
        {
            return ([], []);
        }

        // A lone pattern or a lone conditional entry stands for a list of one.
        IEnumerable<YNode> items = node is YSequence seq ? seq.Items : [node];
        var always = new List<string>();
        var conditional = new List<ConditionalPattern>();
        foreach (var item in items)
        {
            switch (item)
            {
                case YScalar:
                    if (Pattern(item, what, knownActions) is { } pattern)
                    {
                        always.Add(pattern);
                    }

                    break;
                case YMapping entry:
                    ConditionalEntry(entry, what, knownActions, always, conditional);
                    break;
                default:
                    Error(item, $"An entry of {what} is a list. Each entry is an action pattern (tool.files.*) or a pattern with a condition ({{ action: tool.exec, when: {{ chat: direct }} }}).");
                    break;
            }
        }

        return ([.. always], [.. conditional]);
    }

    private void ConditionalEntry(YMapping entry, string what, string[] knownActions, List<string> always, List<ConditionalPattern> conditional)
    {
        CheckKeys(entry, EntryKeys, $"in an entry of {what} (an entry is an action pattern, or {{ action: <pattern>, when: {{ chat: <kind> }} }})");
        var patterns = new List<string>();
        if (Get(entry, "action") is not { } actionNode)
        {
            Error(entry, $"An entry of {what} has no 'action'. Write {{ action: tool.exec, when: {{ chat: direct }} }}, or just the pattern when it holds everywhere.");
        }
        else
        {
            IEnumerable<YNode> actionItems = actionNode is YSequence actions ? actions.Items : [actionNode];
            foreach (var actionItem in actionItems)
            {
                if (Pattern(actionItem, $"'action' of an entry of {what}", knownActions) is { } pattern)
                {
                    patterns.Add(pattern);
                }
            }
        }

        if (Get(entry, "when") is not { } whenNode)
        {
            always.AddRange(patterns); // no condition: the same as writing the patterns alone
            return;
        }

        var chats = When(whenNode, what);
        if (chats != ChatKinds.None)
        {
            conditional.AddRange(patterns.Select(p => new ConditionalPattern(p, chats)));
        }
    }

    // 'when: { chat: direct }' or 'when: { chat: [group, channel] }': the kinds of chat the entry holds in; None after an error.
    private ChatKinds When(YNode node, string what)
    {
        if (node is not YMapping when)
        {
            Error(node, $"'when' in an entry of {what} must be a mapping, such as 'when: {{ chat: direct }}'.");
            return ChatKinds.None;
        }

        CheckKeys(when, WhenKeys, $"in 'when' of an entry of {what}");
        if (Get(when, "chat") is not { } chatNode)
        {
            Error(when, $"'when' in an entry of {what} holds no condition. Add 'chat: direct' (or group, channel, thread, or a list of them), or remove 'when'.");
            return ChatKinds.None;
        }

        var chats = ChatKinds.None;
        var valid = true;
        IEnumerable<YNode> kinds = chatNode is YSequence list ? list.Items : [chatNode];
        foreach (var kindNode in kinds)
        {
            switch (Scalar(kindNode, $"'chat' in 'when' of an entry of {what}"))
            {
                case "direct": chats |= ChatKinds.Direct; break;
                case "group": chats |= ChatKinds.Group; break;
                case "channel": chats |= ChatKinds.Channel; break;
                case "thread": chats |= ChatKinds.Thread; break;
                case null: valid = false; break;
                case var other:
                    Error(kindNode, $"'{other}' in 'when' of an entry of {what} is not a kind of chat.{Suggest(other, ChatNames)} Use direct, group, channel or thread (a thread is its own kind: write [group, thread] for both).");
                    valid = false;
                    break;
            }
        }

        if (valid && chats == ChatKinds.None)
        {
            Error(chatNode, $"'chat' in 'when' of an entry of {what} lists no kind of chat, so the entry would never hold. List direct, group, channel or thread, or remove the entry.");
        }

        return valid ? chats : ChatKinds.None;
    }

    private string? Pattern(YNode item, string what, string[] knownActions)
    {
        var pattern = Scalar(item, what);
        if (pattern is null)
        {
            return null;
        }

        if (!IsPattern(pattern))
        {
            Error(item, $"'{pattern}' in {what} is not an action pattern. Use dotted lower-case names, optionally ending in '.*' (tool.files.*), or '*' for everything.");
            return null;
        }

        if (!knownActions.Any(action => ActionPattern.Matches(pattern, action)))
        {
            // A pattern that matches nothing is a typo that silently turns a deny into nothing at all.
            Error(item, $"'{pattern}' in {what} matches no known action or tool category.{Suggest(pattern, knownActions)} Known tool categories come from 'tools:' and the built-ins ({string.Join(", ", PolicyActions.BuiltInToolCategories)}).");
            return null;
        }

        return pattern;
    }

    // 'automated: true' (every automated kind), 'false' (the default), or a list of kinds: the automated senders (as the
    // transport flags them: SenderEnvelope.SenderKind) that get this identity's full role instead of at most guest's.
    private AutomatedSenders Automated(YNode? node, string identity)
    {
        if (node is null || node is YScalar { IsNull: true })
        {
            return AutomatedSenders.None;
        }

        var what = $"'automated' of identity '{identity}'";
        switch (node)
        {
            case YScalar { Value: "true" or "True" or "TRUE" }:
                return AutomatedSenders.All;
            case YScalar { Value: "false" or "False" or "FALSE" }:
                return AutomatedSenders.None;
            case YMapping:
                Error(node, $"{Capitalize(what)} must be true, false, or a list of bot, webhook and relay, such as 'automated: [webhook]'.");
                return AutomatedSenders.None;
        }

        var accepted = AutomatedSenders.None;
        IEnumerable<YNode> items = node is YSequence seq ? seq.Items : [node];
        foreach (var item in items)
        {
            switch (Scalar(item, what))
            {
                case "bot": accepted |= AutomatedSenders.Bot; break;
                case "webhook": accepted |= AutomatedSenders.Webhook; break;
                case "relay": accepted |= AutomatedSenders.Relay; break;
                case null: break;
                case var other:
                    Error(item, $"'{other}' in {what} is not a kind of automated sender.{Suggest(other, AutomatedNames)} Use true (all of them), false, or a list of bot, webhook and relay.");
                    break;
            }
        }

        return accepted;
    }
}
