namespace Hermes.Identity;

/// <summary>A role as configured: what it inherits, the action patterns it allows, denies and sends for approval.</summary>
/// <remarks>
/// Patterns are dotted action names, optionally ending in <c>.*</c> (<c>tool.files.*</c>), or <c>*</c> for every action.
/// A deny beats any allow; an action no pattern allows is denied.
/// </remarks>
internal sealed class RoleDefinition
{
    internal RoleDefinition(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The role's name, such as <c>trusted</c>.</summary>
    public string Name { get; }

    /// <summary>The role whose rules this role starts from, or <see langword="null"/>.</summary>
    public string? Inherits { get; internal init; }

    /// <summary>Action patterns this role allows.</summary>
    public IReadOnlyList<string> Allow { get; internal init; } = [];

    /// <summary>Action patterns this role denies, whatever else allows them.</summary>
    public IReadOnlyList<string> Deny { get; internal init; } = [];

    /// <summary>Action patterns that, when allowed, need an approval first.</summary>
    public IReadOnlyList<string> RequireApproval { get; internal init; } = [];

    /// <summary>Action patterns this role allows only in some kinds of chat.</summary>
    public IReadOnlyList<ConditionalPattern> ConditionalAllow { get; internal init; } = [];

    /// <summary>Action patterns this role denies in some kinds of chat, and outside any chat (fail closed).</summary>
    public IReadOnlyList<ConditionalPattern> ConditionalDeny { get; internal init; } = [];

    /// <summary>Action patterns that need an approval in some kinds of chat, and outside any chat (fail closed).</summary>
    public IReadOnlyList<ConditionalPattern> ConditionalRequireApproval { get; internal init; } = [];

    /// <summary>Whether file access is confined to the profile's workspace.</summary>
    public WorkspaceConfinement Workspace { get; internal init; }

    /// <summary>The budgets this role sets (<c>budgets:</c>), by counter and window; a role inherits those it does not set. A null limit lifts an inherited one.</summary>
    internal IReadOnlyDictionary<BudgetKey, long?> Budgets { get; init; } = BudgetLimits.None;

    /// <summary>Whether this is one of the built-in roles (<c>owner</c>, <c>trusted</c>, <c>guest</c>) as shipped.</summary>
    public bool IsBuiltIn { get; internal init; }
}
