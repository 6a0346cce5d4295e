using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Hermes.Identity.Directories;

namespace Hermes.Identity.Configuration.Roles;

// The roles of one snapshot compiled into lookups: role → rules, profile key → rules, tool → action,
// each a hash lookup, so a check costs the same with 10 rules or 100,000. Built once per snapshot.
internal sealed class RoleTable
{
    /// <summary>The action of a call to a tool that <c>tools:</c> does not list: only a rule that allows every tool reaches it.</summary>
    public const string UnlistedToolAction = "tool.unlisted";

    private readonly FrozenDictionary<string, RuleFamily> _byRole;
    private readonly FrozenDictionary<string, (RuleFamily Family, AgentProfile Profile)> _byProfile;
    private readonly FrozenDictionary<string, ToolSlot> _tools;
    private readonly FrozenDictionary<string, int> _actionSlots;
    private readonly bool _admitsGuests;
    private readonly DirectoryPeople? _directory;

    private RoleTable(
        FrozenDictionary<string, RuleFamily> byRole,
        FrozenDictionary<string, (RuleFamily Family, AgentProfile Profile)> byProfile,
        FrozenDictionary<string, ToolSlot> tools,
        FrozenDictionary<string, int> actionSlots,
        int ruleSetCount,
        bool admitsGuests)
    {
        _byRole = byRole;
        _byProfile = byProfile;
        _tools = tools;
        _actionSlots = actionSlots;
        RuleSetCount = ruleSetCount;
        SlotCount = tools.Count + actionSlots.Count;
        _admitsGuests = admitsGuests;
        foreach (var family in byRole.Values.Concat(byProfile.Values.Select(p => p.Family)).Distinct())
        {
            foreach (var rules in family.All)
            {
                rules.BindTo(this);
            }
        }
    }

    // The same compiled table over another version of the directory's people: every lookup and rule set is shared (the
    // rules stay bound to the table they were compiled for), so a directory change compiles nothing.
    private RoleTable(RoleTable compiled, DirectoryPeople directory)
    {
        _byRole = compiled._byRole;
        _byProfile = compiled._byProfile;
        _tools = compiled._tools;
        _actionSlots = compiled._actionSlots;
        RuleSetCount = compiled.RuleSetCount;
        SlotCount = compiled.SlotCount;
        _admitsGuests = compiled._admitsGuests;
        Compiled = compiled.Compiled;
        _directory = directory;
    }

    /// <summary>The table the rules were compiled for and are bound to (<see cref="RoleRules.Table"/>): this one, or the one this view of a directory version shares.</summary>
    public RoleTable Compiled => field ?? this;

    /// <summary>This table with <paramref name="directory"/>'s people, who have their role's rules: nothing is compiled.</summary>
    public RoleTable WithDirectory(DirectoryPeople directory) => new(this, directory);

    /// <summary>How many rule sets (roles, and identities with rules of their own, each in every distinct context) there are: the range of <see cref="RoleRules.Index"/>.</summary>
    public int RuleSetCount { get; }

    /// <summary>The range of tool and action slots.</summary>
    public int SlotCount { get; }

    /// <summary>Every known action: the non-tool actions and <c>tool.&lt;category&gt;</c> for every category in use.</summary>
    public IEnumerable<string> KnownActions => _actionSlots.Keys;

    public static RoleTable Build(
        IReadOnlyDictionary<string, RoleDefinition> roles,
        IReadOnlyDictionary<string, AgentProfile> profiles,
        IReadOnlyDictionary<string, string> tools,
        UnknownSenderPolicy unknownSenders)
    {
        // The guest role first: its rules cap every other role's for automated senders.
        var index = 0;
        var byRole = new Dictionary<string, RuleFamily>(StringComparer.Ordinal);
        var (guestChain, guestRules) = Flatten(BuiltInRoles.Guest, roles); // none in a hand-built table without guest: automated senders then get nothing
        var guest = new RuleFamily(ref index, BuiltInRoles.Guest, null, guestChain, guestRules, null);
        if (roles.ContainsKey(BuiltInRoles.Guest))
        {
            byRole[BuiltInRoles.Guest] = guest;
        }

        foreach (var name in roles.Keys.Where(n => n != BuiltInRoles.Guest).Order(StringComparer.Ordinal))
        {
            var (chain, rules) = Flatten(name, roles);
            byRole[name] = new RuleFamily(ref index, name, null, chain, rules, guest);
        }

        var byProfile = new Dictionary<string, (RuleFamily, AgentProfile)>(StringComparer.Ordinal);
        foreach (var profile in profiles.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!byRole.TryGetValue(profile.Role, out var roleFamily))
            {
                continue; // the reader refuses unknown roles; a profile without a role's rules gets nothing
            }

            if (profile.Allow.Count == 0 && profile.Deny.Count == 0 && profile.RequireApproval.Count == 0
                && profile.ConditionalAllow.Count == 0 && profile.ConditionalDeny.Count == 0 && profile.ConditionalRequireApproval.Count == 0)
            {
                byProfile[profile.Key] = (roleFamily, profile);
                continue;
            }

            var source = "identity:" + profile.Key;
            var own = profile.Allow.Select(p => new CompiledRule(source, RuleKind.Allow, p))
                .Concat(profile.Deny.Select(p => new CompiledRule(source, RuleKind.Deny, p)))
                .Concat(profile.RequireApproval.Select(p => new CompiledRule(source, RuleKind.RequireApproval, p)))
                .Concat(profile.ConditionalAllow.Select(c => new CompiledRule(source, RuleKind.Allow, c.Pattern, c.Chats)))
                .Concat(profile.ConditionalDeny.Select(c => new CompiledRule(source, RuleKind.Deny, c.Pattern, c.Chats)))
                .Concat(profile.ConditionalRequireApproval.Select(c => new CompiledRule(source, RuleKind.RequireApproval, c.Pattern, c.Chats)));
            byProfile[profile.Key] = (new RuleFamily(ref index, profile.Role, profile.Key, roleFamily.Chain, [.. roleFamily.Rules, .. own], guest), profile);
        }

        var toolSlots = new Dictionary<string, ToolSlot>(StringComparer.Ordinal);
        foreach (var (tool, category) in tools.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            toolSlots[tool] = new ToolSlot(toolSlots.Count, tool, category, PolicyActions.ForToolCategory(category));
        }

        var actions = PolicyActions.All
            .Concat(PolicyActions.BuiltInToolCategories.Concat(tools.Values).Select(PolicyActions.ForToolCategory))
            .Append(UnlistedToolAction)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select((action, i) => KeyValuePair.Create(action, toolSlots.Count + i))
            .ToArray();

        // A qualified entry, "Shell.terminal" (Semantic Kernel's plugin Shell, or an MCP server named Shell), also
        // answers to the names stacks give it on the wire: Shell_terminal and Shell-terminal. An entry listed under
        // one of those names itself wins (the reader refuses one that names another category). A bare entry
        // ("terminal") never answers for a qualified name, so two plugins' functions called "delete" never share a
        // category by accident.
        foreach (var slot in toolSlots.Values.Where(t => t.Name.Contains('.', StringComparison.Ordinal)).ToArray())
        {
            foreach (var alias in ToolNames.WireAliases(slot.Name))
            {
                toolSlots.TryAdd(alias, slot);
            }
        }

        return new RoleTable(
            byRole.ToFrozenDictionary(StringComparer.Ordinal),
            byProfile.ToFrozenDictionary(StringComparer.Ordinal),
            toolSlots.ToFrozenDictionary(StringComparer.Ordinal),
            actions.ToFrozenDictionary(StringComparer.Ordinal),
            index,
            unknownSenders == UnknownSenderPolicy.Guest);
    }

    /// <summary>
    /// Whether <paramref name="role"/> exists and allows <paramref name="action"/> in any kind of chat (or with none), to a
    /// person: for questions about a role itself, such as "would pairing with it make an administrator".
    /// </summary>
    public bool RoleMayAllow(string role, string action)
    {
        if (!_byRole.TryGetValue(role, out var family))
        {
            return false;
        }

        foreach (var rules in family.All)
        {
            if ((rules.Match(action) & (RuleEffects.Allow | RuleEffects.Deny)) == RuleEffects.Allow)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The rules that apply to <paramref name="subject"/> outside any chat: see <see cref="TryGetRules(AgentProfile, SenderEnvelope?, out RoleRules?, out string?)"/>.</summary>
    public bool TryGetRules(AgentProfile subject, [NotNullWhen(true)] out RoleRules? rules, [NotNullWhen(false)] out string? problem) =>
        TryGetRules(subject, null, out rules, out problem);

    /// <summary>
    /// The rules that apply to <paramref name="subject"/> under this snapshot, looked up by profile key so a
    /// reload that changes someone's role applies at once. Guests keep the guest role while guests are admitted.
    /// The rules are those in force in the sender's kind of chat (none: outside any chat), capped at the guest role's
    /// when the sender is automated and the identity does not accept that kind (<see cref="IsCapped"/>).
    /// </summary>
    /// <param name="subject">The profile, possibly from an older snapshot.</param>
    /// <param name="sender">The envelope of the message the decision is for, or <see langword="null"/> outside a turn.</param>
    /// <param name="rules">The rules, or <see langword="null"/>.</param>
    /// <param name="problem">Why there are none: safe to show.</param>
    public bool TryGetRules(AgentProfile subject, SenderEnvelope? sender, [NotNullWhen(true)] out RoleRules? rules, [NotNullWhen(false)] out string? problem)
    {
        var chat = sender?.ChatKind;
        if (subject.IsGuest)
        {
            if (!_admitsGuests)
            {
                rules = null;
                problem = $"Guest {subject.Key} is no longer admitted: the identities configuration now refuses unknown senders.";
                return false;
            }

            if (_byRole.TryGetValue(BuiltInRoles.Guest, out var guest))
            {
                rules = guest.For(chat, capped: false);
                problem = null;
                return true;
            }

            rules = null;
            problem = "The guest role is not defined.";
            return false;
        }

        if (_byProfile.TryGetValue(subject.Key, out var entry))
        {
            rules = entry.Family.For(chat, capped: sender is not null && !entry.Profile.Accepts(sender.SenderKind));
            problem = null;
            return true;
        }

        // A person of the directory has exactly their role's rules, as the directory says now (a demotion applies at once);
        // an automated sender gets at most guest's, since a directory person accepts none.
        if (_directory is not null && _directory.TryGetByKey(subject.Key, out var person))
        {
            if (_byRole.TryGetValue(person.Role, out var family))
            {
                rules = family.For(chat, capped: sender is not null && sender.SenderKind != SenderKind.Person);
                problem = null;
                return true;
            }

            rules = null;
            problem = $"Profile {subject.Key} has role '{person.Role}' in the identity directory, which identities.yaml does not define, so it may do nothing.";
            return false;
        }

        rules = null;
        problem = $"Profile {subject.Key} is not in the identities configuration in force, so it may do nothing.";
        return false;
    }

    /// <summary>
    /// Whether <paramref name="subject"/>'s rights are capped at the guest role's for <paramref name="sender"/>: the sender
    /// is automated and the identity in force does not accept that kind. A guest is a guest anyway: not capped.
    /// </summary>
    public bool IsCapped(AgentProfile subject, SenderEnvelope? sender) =>
        sender is { IsAutomated: true }
        && !subject.IsGuest
        && (!_byProfile.TryGetValue(subject.Key, out var entry) || !entry.Profile.Accepts(sender.SenderKind));

    /// <summary>The compiled entry of a tool listed under <c>tools:</c>.</summary>
    public bool TryGetTool(string toolName, [NotNullWhen(true)] out ToolSlot? tool) => _tools.TryGetValue(toolName, out tool);

    /// <summary>The cache slot of a known action, or -1.</summary>
    public int ActionSlot(string action) => _actionSlots.TryGetValue(action, out var slot) ? slot : -1;

    // A role's rules are its own plus everything up its 'inherits' chain. The reader refuses cycles;
    // the seen-set keeps a hand-built snapshot from looping.
    private static (string[] Chain, CompiledRule[] Rules) Flatten(string name, IReadOnlyDictionary<string, RoleDefinition> roles)
    {
        var chain = new List<string>();
        var rules = new List<CompiledRule>();
        var current = name;
        while (current is not null && !chain.Contains(current) && roles.TryGetValue(current, out var role))
        {
            chain.Add(current);
            var source = "role:" + current;
            rules.AddRange(role.Allow.Select(p => new CompiledRule(source, RuleKind.Allow, p)));
            rules.AddRange(role.Deny.Select(p => new CompiledRule(source, RuleKind.Deny, p)));
            rules.AddRange(role.RequireApproval.Select(p => new CompiledRule(source, RuleKind.RequireApproval, p)));
            rules.AddRange(role.ConditionalAllow.Select(c => new CompiledRule(source, RuleKind.Allow, c.Pattern, c.Chats)));
            rules.AddRange(role.ConditionalDeny.Select(c => new CompiledRule(source, RuleKind.Deny, c.Pattern, c.Chats)));
            rules.AddRange(role.ConditionalRequireApproval.Select(c => new CompiledRule(source, RuleKind.RequireApproval, c.Pattern, c.Chats)));
            current = role.Inherits;
        }

        return ([.. chain], [.. rules]);
    }
}
