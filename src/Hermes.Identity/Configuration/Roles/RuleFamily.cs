namespace Hermes.Identity.Configuration.Roles;

// The rules of one role, or of one identity with rules of its own, compiled for every context a decision can be made in:
// a direct chat, a group, a channel, a thread, or no chat at all (a decision outside a turn); each for a person, or capped
// at the guest role's rules in the same context for an automated sender the identity does not accept. A rule with a
// condition on the chat is in force only where it holds (CompiledRule.InForce), so each context has its own RoleRules,
// picked once per turn: the decision cache stays per (rules, tool) and the allow path does no more work than before.
// Contexts whose rules are the same share one RoleRules, so a role without conditions is compiled once, as it always was.
internal sealed class RuleFamily
{
    // Contexts 0..3 are the ChatKind values; 4 is "no chat".
    private const int NoChat = 4;
    private const int ContextCount = 5;

    private readonly RoleRules[] _person = new RoleRules[ContextCount];
    private readonly RoleRules[] _automated = new RoleRules[ContextCount];

    /// <param name="index">The next free rule-set index of the table; advanced by every RoleRules made.</param>
    /// <param name="role">The role's name.</param>
    /// <param name="profileKey">The identity whose own rules are among <paramref name="rules"/>, or <see langword="null"/> for a role.</param>
    /// <param name="chain">The role and the roles it inherits from, nearest first.</param>
    /// <param name="rules">Every rule, conditional or not.</param>
    /// <param name="guest">The guest role's family, whose rules cap an automated sender's; <see langword="null"/> for the guest role itself.</param>
    public RuleFamily(ref int index, string role, string? profileKey, IReadOnlyList<string> chain, IReadOnlyList<CompiledRule> rules, RuleFamily? guest)
    {
        Role = role;
        ProfileKey = profileKey;
        Chain = chain;
        Rules = rules;

        for (var context = 0; context < ContextCount; context++)
        {
            var chat = ChatOf(context);
            var inForce = rules.Where(r => r.InForce(chat)).ToArray();
            var shared = Array.Find(_person, earlier => earlier is not null && earlier.Rules.SequenceEqual(inForce, ReferenceEqualityComparer.Instance));
            _person[context] = shared ?? new RoleRules(index++, role, profileKey, chain, inForce, [.. rules.Where(r => !r.InForce(chat))]);
        }

        for (var context = 0; context < ContextCount; context++)
        {
            if (guest is null)
            {
                _automated[context] = _person[context]; // the guest role capped at itself is itself
                continue;
            }

            RoleRules? shared = null;
            for (var earlier = 0; earlier < context && shared is null; earlier++)
            {
                if (ReferenceEquals(_person[earlier], _person[context]) && ReferenceEquals(guest._person[earlier], guest._person[context]))
                {
                    shared = _automated[earlier];
                }
            }

            _automated[context] = shared ?? new RoleRules(index++, _person[context], guest._person[context]);
        }
    }

    public string Role { get; }

    public string? ProfileKey { get; }

    public IReadOnlyList<string> Chain { get; }

    /// <summary>Every rule of the role or identity, conditional or not.</summary>
    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>Every distinct RoleRules of the family.</summary>
    public IEnumerable<RoleRules> All => _person.Concat(_automated).Distinct();

    /// <summary>The rules for a decision in <paramref name="chat"/> (<see langword="null"/>: outside any chat), capped at guest's when <paramref name="capped"/>.</summary>
    public RoleRules For(ChatKind? chat, bool capped)
    {
        var context = chat is { } kind ? (int)kind : NoChat;
        return capped ? _automated[context] : _person[context];
    }

    private static ChatKind? ChatOf(int context) => context == NoChat ? null : (ChatKind)context;
}
