using System.Collections.Frozen;
using Hermes.Identity.Configuration.Roles;

namespace Hermes.Identity.Budgets;

// The budgets of one person under one configuration, compiled: the cells of their turns and tokens, and for each tool
// action the cells a call draws on. Shared by every turn of that person while the configuration is in force and kept
// on the turn (TurnContext.Budget), so a decision finds its counters with one lookup by action and no allocation.
internal sealed class ProfileBudget
{
    private static readonly BudgetCell[] NoCells = [];

    public ProfileBudget(BudgetPlan plan, string subject, string profileKey, BudgetCell[] turns, BudgetCell[] tokens, FrozenDictionary<string, BudgetCell[]>? tools)
    {
        Plan = plan;
        Table = plan.Snapshot.RoleTable;
        Subject = subject;
        ProfileKey = profileKey;
        Turns = turns;
        Tokens = tokens;
        Tools = tools;
        IsEmpty = turns.Length == 0 && tokens.Length == 0 && tools is null;
    }

    public static ProfileBudget None(BudgetPlan plan) => new(plan, string.Empty, string.Empty, NoCells, NoCells, null);

    public BudgetPlan Plan { get; }

    /// <summary>RoleTable of the configuration these budgets were compiled from.</summary>
    public RoleTable Table { get; }

    /// <summary>How a refusal names the person: <c>mei (role trusted)</c>.</summary>
    public string Subject { get; }

    public string ProfileKey { get; }

    public BudgetCell[] Turns { get; }

    public BudgetCell[] Tokens { get; }

    /// <summary>Tool action (<c>tool.web.search</c>, <c>tool.unlisted</c>) → the cells a call draws on; null when no tool budget applies.</summary>
    public FrozenDictionary<string, BudgetCell[]>? Tools { get; }

    public bool IsEmpty { get; }

    public IEnumerable<BudgetCell> AllCells => Turns.Concat(Tokens).Concat(Tools?.Values.SelectMany(c => c) ?? []).Distinct();
}
