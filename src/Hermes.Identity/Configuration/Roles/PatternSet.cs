using System.Collections.Frozen;

namespace Hermes.Identity.Configuration.Roles;

// The patterns of one kind (allow, deny or require_approval) of one role, compiled for lookup:
// '*' is a flag, exact patterns a hash set, 'prefix.*' patterns a hash set of their 'prefix.'.
// Matching an action costs one lookup per dot in the action, whatever the number of patterns.
internal sealed class PatternSet
{
    public static readonly PatternSet Empty = new([], FrozenDictionary<string, string[]>.Empty, FrozenDictionary<string, string[]>.Empty);

    private readonly string[] _everything;
    private readonly FrozenDictionary<string, string[]> _exact;
    private readonly FrozenDictionary<string, string[]> _prefixes;
    private readonly FrozenDictionary<string, string[]>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;

    private PatternSet(string[] everything, FrozenDictionary<string, string[]> exact, FrozenDictionary<string, string[]> prefixes)
    {
        _everything = everything;
        _exact = exact;
        _prefixes = prefixes;
        _prefixLookup = prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool IsEmpty => _everything.Length == 0 && _exact.Count == 0 && _prefixes.Count == 0;

    /// <summary>Compiles (pattern, rule id) pairs. The same pattern from several sources keeps every id.</summary>
    public static PatternSet Compile(IEnumerable<(string Pattern, string RuleId)> rules)
    {
        var everything = new List<string>();
        var exact = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (pattern, ruleId) in rules)
        {
            if (pattern == ActionPattern.Everything)
            {
                everything.Add(ruleId);
            }
            else
            {
                var (map, key) = ActionPattern.IsPrefix(pattern) ? (prefixes, ActionPattern.PrefixOf(pattern)) : (exact, pattern);
                if (!map.TryGetValue(key, out var ids))
                {
                    map[key] = ids = [];
                }

                ids.Add(ruleId);
            }
        }

        if (everything.Count == 0 && exact.Count == 0 && prefixes.Count == 0)
        {
            return Empty;
        }

        return new PatternSet(
            [.. everything.Distinct(StringComparer.Ordinal)],
            exact.ToFrozenDictionary(p => p.Key, p => p.Value.Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal),
            prefixes.ToFrozenDictionary(p => p.Key, p => p.Value.Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal));
    }

    /// <summary>Whether any pattern matches <paramref name="action"/>. Allocation-free.</summary>
    public bool Matches(string action)
    {
        if (_everything.Length > 0 || _exact.ContainsKey(action))
        {
            return true;
        }

        if (_prefixes.Count > 0)
        {
            // 'a.*' matches every action that starts with 'a.': look up each dotted prefix of the action.
            for (var dot = action.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = action.IndexOf('.', dot + 1))
            {
                if (_prefixLookup.ContainsKey(action.AsSpan(0, dot + 1)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Adds the ids of every rule that matches <paramref name="action"/>, most general first.</summary>
    public void CollectMatches(string action, List<string> ruleIds)
    {
        ruleIds.AddRange(_everything);
        for (var dot = action.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = action.IndexOf('.', dot + 1))
        {
            if (_prefixLookup.TryGetValue(action.AsSpan(0, dot + 1), out var ids))
            {
                ruleIds.AddRange(ids);
            }
        }

        if (_exact.TryGetValue(action, out var exactIds))
        {
            ruleIds.AddRange(exactIds);
        }
    }
}
