using System.Diagnostics.CodeAnalysis;

namespace Hermes.Identity.Directories;

// The people of a directory at one version, immutable: a large base (by key and by account) built by a full read, and
// a small overlay of what changed since (a null entry is a removal). Applying changes copies the overlay only, never the
// base, so one person added, changed or removed costs the same at 1,000 or 1,000,000 people; when the overlay outgrows
// a bound it is folded into a new base, once every few thousand changes. A lookup is at most two hash lookups.
internal sealed class DirectoryPeople
{
    public static readonly DirectoryPeople Empty = new(0, 0, new(StringComparer.Ordinal), new(AccountKeyComparer.Instance), new(StringComparer.Ordinal), new(AccountKeyComparer.Instance));

    private readonly Dictionary<string, DirectoryPerson> _byKey;
    private readonly Dictionary<string, DirectoryPerson> _byAccount;
    private readonly Dictionary<string, DirectoryPerson?> _changedKeys;
    private readonly Dictionary<string, DirectoryPerson?> _changedAccounts;
    private readonly Dictionary<string, DirectoryPerson>.AlternateLookup<PlatformPrincipal> _byPrincipal;
    private readonly Dictionary<string, DirectoryPerson?>.AlternateLookup<PlatformPrincipal> _changedPrincipals;

    private DirectoryPeople(
        long version,
        int count,
        Dictionary<string, DirectoryPerson> byKey,
        Dictionary<string, DirectoryPerson> byAccount,
        Dictionary<string, DirectoryPerson?> changedKeys,
        Dictionary<string, DirectoryPerson?> changedAccounts)
    {
        Version = version;
        Count = count;
        _byKey = byKey;
        _byAccount = byAccount;
        _changedKeys = changedKeys;
        _changedAccounts = changedAccounts;
        _byPrincipal = byAccount.GetAlternateLookup<PlatformPrincipal>();
        _changedPrincipals = changedAccounts.GetAlternateLookup<PlatformPrincipal>();
    }

    /// <summary>The directory version these people are at.</summary>
    public long Version { get; }

    /// <summary>How many people there are.</summary>
    public int Count { get; }

    /// <summary>How many changes are held beside the base (for tests and the benchmarks).</summary>
    internal int OverlayCount => _changedKeys.Count;

    /// <summary>Every person, in no order.</summary>
    public IEnumerable<DirectoryPerson> People
    {
        get
        {
            foreach (var person in _byKey.Values)
            {
                if (!_changedKeys.ContainsKey(person.Key))
                {
                    yield return person;
                }
            }

            foreach (var person in _changedKeys.Values)
            {
                if (person is not null)
                {
                    yield return person;
                }
            }
        }
    }

    /// <summary>The people of a full read, at <paramref name="version"/>. A key or account given twice: the last one wins.</summary>
    public static DirectoryPeople Build(long version, IReadOnlyList<DirectoryPerson> people)
    {
        using var builder = new DirectoryPeopleBuilder(people.Count);
        for (var i = 0; i < people.Count; i++)
        {
            builder.Add(people[i]);
        }

        return builder.Build(version);
    }

    // The lookups a DirectoryPeopleBuilder made.
    internal static DirectoryPeople FromLookups(long version, Dictionary<string, DirectoryPerson> byKey, Dictionary<string, DirectoryPerson> byAccount) =>
        new(version, byKey.Count, byKey, byAccount, new(StringComparer.Ordinal), new(AccountKeyComparer.Instance));

    public bool TryGetByKey(string key, [NotNullWhen(true)] out DirectoryPerson? person)
    {
        if (_changedKeys.Count != 0 && _changedKeys.TryGetValue(key, out person))
        {
            return person is not null;
        }

        return _byKey.TryGetValue(key, out person);
    }

    public bool TryGetByAccount(PlatformPrincipal account, [NotNullWhen(true)] out DirectoryPerson? person)
    {
        if (_changedAccounts.Count != 0 && _changedPrincipals.TryGetValue(account, out person))
        {
            return person is not null;
        }

        return _byPrincipal.TryGetValue(account, out person);
    }

    /// <summary>These people with <paramref name="changes"/> applied: removals first, then additions and changes.</summary>
    public DirectoryPeople Apply(DirectoryChanges changes)
    {
        var changedKeys = new Dictionary<string, DirectoryPerson?>(_changedKeys, StringComparer.Ordinal);
        var changedAccounts = new Dictionary<string, DirectoryPerson?>(_changedAccounts, AccountKeyComparer.Instance);
        var count = Count;
        foreach (var key in changes.Removed)
        {
            if (Find(changedKeys, key) is { } old)
            {
                changedKeys[key] = null;
                count--;
                Unlink(changedAccounts, old);
            }
        }

        foreach (var person in changes.Changed)
        {
            if (Find(changedKeys, person.Key) is { } old)
            {
                Unlink(changedAccounts, old);
            }
            else
            {
                count++;
            }

            changedKeys[person.Key] = person;
            for (var a = 0; a < person.AccountCount; a++)
            {
                changedAccounts[person.AccountAt(a)] = person;
            }
        }

        var version = Math.Max(Version, changes.Version);
        return changedKeys.Count + changedAccounts.Count > OverlayBound(count)
            ? Fold(version, count, changedKeys, changedAccounts)
            : new DirectoryPeople(version, count, _byKey, _byAccount, changedKeys, changedAccounts);

        // The account is unlinked only where it still points at the old entry: another person may have taken it since.
        void Unlink(Dictionary<string, DirectoryPerson?> accounts, DirectoryPerson old)
        {
            for (var a = 0; a < old.AccountCount; a++)
            {
                var account = old.AccountAt(a);
                var owner = accounts.TryGetValue(account, out var changed) ? changed : _byAccount.GetValueOrDefault(account);
                if (ReferenceEquals(owner, old))
                {
                    accounts[account] = null;
                }
            }
        }
    }

    // Up to a few thousand changes are carried beside the base (each delta copies them: microseconds); past that they are
    // folded in, which copies the base once.
    private static int OverlayBound(int count) => Math.Max(1024, (int)Math.Sqrt(count) * 8);

    private DirectoryPerson? Find(Dictionary<string, DirectoryPerson?> changedKeys, string key) =>
        changedKeys.TryGetValue(key, out var changed) ? changed : _byKey.GetValueOrDefault(key);

    private DirectoryPeople Fold(long version, int count, Dictionary<string, DirectoryPerson?> changedKeys, Dictionary<string, DirectoryPerson?> changedAccounts)
    {
        var byKey = new Dictionary<string, DirectoryPerson>(_byKey, StringComparer.Ordinal);
        var byAccount = new Dictionary<string, DirectoryPerson>(_byAccount, AccountKeyComparer.Instance);
        Merge(byKey, changedKeys);
        Merge(byAccount, changedAccounts);
        return new DirectoryPeople(version, count, byKey, byAccount, new(StringComparer.Ordinal), new(AccountKeyComparer.Instance));

        static void Merge(Dictionary<string, DirectoryPerson> into, Dictionary<string, DirectoryPerson?> changes)
        {
            foreach (var (key, person) in changes)
            {
                if (person is null)
                {
                    into.Remove(key);
                }
                else
                {
                    into[key] = person;
                }
            }
        }
    }

    internal static void Unlink(Dictionary<string, DirectoryPerson> accounts, DirectoryPerson old)
    {
        for (var a = 0; a < old.AccountCount; a++)
        {
            var account = old.AccountAt(a);
            if (accounts.TryGetValue(account, out var owner) && ReferenceEquals(owner, old))
            {
                accounts.Remove(account);
            }
        }
    }
}
