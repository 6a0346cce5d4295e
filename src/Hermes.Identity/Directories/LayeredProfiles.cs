using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Hermes.Identity.Directories;

// IdentitySnapshot.Profiles when a directory is in force: identities.yaml's people (and the paired ones) first, then the
// directory's, except those identities.yaml overrides. A directory person's profile is made when first asked for.
internal sealed class LayeredProfiles(
    IReadOnlyDictionary<string, AgentProfile> configured,
    DirectoryPeople directory,
    FrozenSet<string> shadowed,
    string root) : IReadOnlyDictionary<string, AgentProfile>
{
    public int Count => configured.Count + directory.Count - shadowed.Count;

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<AgentProfile> Values => this.Select(p => p.Value);

    public AgentProfile this[string key] => TryGetValue(key, out var profile) ? profile : throw new KeyNotFoundException($"Profile '{key}' is not in the identities configuration in force.");

    public bool ContainsKey(string key) => configured.ContainsKey(key) || (directory.TryGetByKey(key, out _) && !shadowed.Contains(key));

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out AgentProfile value)
    {
        if (configured.TryGetValue(key, out value))
        {
            return true;
        }

        if (directory.TryGetByKey(key, out var person) && !shadowed.Contains(key))
        {
            value = person.ProfileUnder(root);
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, AgentProfile>> GetEnumerator()
    {
        foreach (var pair in configured)
        {
            yield return pair;
        }

        foreach (var person in directory.People)
        {
            if (!shadowed.Contains(person.Key))
            {
                yield return KeyValuePair.Create(person.Key, person.ProfileUnder(root));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
