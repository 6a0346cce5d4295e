namespace Hermes.Identity;

/// <summary>
/// One person as the agent host knows them: a profile key, a role, the platform accounts linked to
/// them, and where their data lives. Immutable, and made only by the library from the identity
/// configuration in force (or for a guest it admits), so host code cannot pair a sender with someone
/// else's profile or point a profile at someone else's files.
/// </summary>
public sealed class AgentProfile
{
    internal AgentProfile(string key, string role, string fullRoot)
    {
        ProfileKey.ThrowIfInvalid(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        Key = key;
        Role = role;
        Root = fullRoot;
        Paths = ProfilePaths.For(fullRoot, key);
        DisplayName = key;
    }

    /// <summary>The profile key: the folder name of this person's data.</summary>
    public string Key { get; }

    /// <summary>The role that decides what this person may do.</summary>
    public string Role { get; }

    // The full data root the paths are under.
    internal string Root { get; }

    /// <summary>Where this person's sessions, memory and workspace live, derived from the data root and <see cref="Key"/>.</summary>
    public ProfilePaths Paths { get; }

    /// <summary>The name configured for this person (not the one they show on a platform).</summary>
    public string DisplayName { get; internal init; }

    /// <summary>The platform accounts that resolve to this profile, each as <c>platform:userId</c>.</summary>
    public IReadOnlyList<string> Accounts => field ??= [.. Principals.Select(p => p.ToString())];

    internal IReadOnlyList<PlatformPrincipal> Principals { get; init; } = [];

    /// <summary>Whether this profile was admitted automatically as an unknown sender.</summary>
    public bool IsGuest { get; internal init; }

    // Action patterns allowed to this person on top of their role, and denied whatever their role allows.
    internal IReadOnlyList<string> Allow { get; init; } = [];

    internal IReadOnlyList<string> Deny { get; init; } = [];

    // The same, each holding only in some kinds of chat ('{ action: ..., when: { chat: ... } }').
    internal IReadOnlyList<ConditionalPattern> ConditionalAllow { get; init; } = [];

    internal IReadOnlyList<ConditionalPattern> ConditionalDeny { get; init; } = [];

    // Actions this person may do only once someone with approval.grant approves the call ('require_approval:').
    internal IReadOnlyList<string> RequireApproval { get; init; } = [];

    internal IReadOnlyList<ConditionalPattern> ConditionalRequireApproval { get; init; } = [];

    // The automated sender kinds that get this identity's full role ('automated:'); the others get at most guest's rights.
    internal AutomatedSenders AcceptsAutomated { get; init; }

    /// <summary>Whether a message of <paramref name="kind"/> gets this identity's full role: a person always; an automated sender only if accepted.</summary>
    internal bool Accepts(SenderKind kind) =>
        kind == SenderKind.Person || (AcceptsAutomated & (AutomatedSenders)(1 << ((int)kind - 1))) != 0;

    // Budgets this person has in identities.yaml, over those of their role (see Hermes.Identity.Budgets).
    internal IReadOnlyDictionary<BudgetKey, long?> Budgets { get; init; } = BudgetLimits.None;

    // The same person with more accounts (linked through pairing): every other property is kept as configured.
    internal AgentProfile WithAccounts(string fullRoot, IEnumerable<PlatformPrincipal> more) => new(Key, Role, fullRoot)
    {
        DisplayName = DisplayName,
        Principals = [.. Principals, .. more],
        IsGuest = IsGuest,
        Allow = Allow,
        Deny = Deny,
        ConditionalAllow = ConditionalAllow,
        ConditionalDeny = ConditionalDeny,
        AcceptsAutomated = AcceptsAutomated,
        RequireApproval = RequireApproval,
        ConditionalRequireApproval = ConditionalRequireApproval,
        Budgets = Budgets,
    };

    /// <inheritdoc />
    public override string ToString() => $"{Key} ({Role})";
}
