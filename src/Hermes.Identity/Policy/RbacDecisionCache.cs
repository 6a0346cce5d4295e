namespace Hermes.Identity.Policy;

// The RBAC decisions of one snapshot, by (rule set, tool or action slot), made on first use. The
// decisions are immutable, so a race only computes the same one twice: the allow path allocates nothing.
internal sealed class RbacDecisionCache
{
    private readonly PolicyDecision?[]?[] _rows;
    private readonly int _slots;

    public RbacDecisionCache(IdentitySnapshot snapshot)
    {
        Snapshot = snapshot;
        _rows = new PolicyDecision?[]?[snapshot.RoleTable.RuleSetCount];
        _slots = snapshot.RoleTable.SlotCount;
    }

    public IdentitySnapshot Snapshot { get; }

    public PolicyDecision? Get(int ruleSet, int slot) => _rows[ruleSet]?[slot];

    public PolicyDecision Set(int ruleSet, int slot, PolicyDecision decision)
    {
        var row = Volatile.Read(ref _rows[ruleSet]);
        if (row is null)
        {
            row = new PolicyDecision?[_slots];
            row = Interlocked.CompareExchange(ref _rows[ruleSet], row, null) ?? row;
        }

        row[slot] = decision;
        return decision;
    }
}
