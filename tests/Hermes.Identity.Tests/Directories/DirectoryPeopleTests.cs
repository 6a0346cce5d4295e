using Hermes.Identity.Directories;

namespace Hermes.Identity.Tests.Directories;

// The directory's people as versions: a change goes into the overlay beside a shared base, never into the base, and the
// overlay is folded into a new base past its bound; lookups by key and by account agree with a plain model throughout.
public sealed class DirectoryPeopleTests
{
    [Fact]
    public void A_change_leaves_the_version_before_it_untouched_and_shares_its_base()
    {
        var v1 = DirectoryPeople.Build(1, [Person("a", "member", "telegram:1"), Person("b", "member", "telegram:2")]);
        var v2 = v1.Apply(new DirectoryChanges(2, [Person("a", "guest", "telegram:3")], ["b"]));

        Assert.True(v1.TryGetByAccount(new PlatformPrincipal("telegram", "1"), out var a1));
        Assert.Equal("member", a1.Role);
        Assert.True(v1.TryGetByKey("b", out _));
        Assert.Equal(2, v1.Count);

        Assert.Equal(2, v2.Version);
        Assert.Equal(1, v2.Count);
        Assert.False(v2.TryGetByAccount(new PlatformPrincipal("telegram", "1"), out _)); // a's old account is gone
        Assert.True(v2.TryGetByAccount(new PlatformPrincipal("telegram", "3"), out var a2));
        Assert.Equal("guest", a2.Role);
        Assert.False(v2.TryGetByKey("b", out _));
        Assert.False(v2.TryGetByAccount(new PlatformPrincipal("telegram", "2"), out _));
        Assert.Equal(2, v2.OverlayCount); // a and b in the overlay: the base was not copied
    }

    [Fact]
    public void An_account_moved_to_another_person_stays_with_them_when_the_first_is_removed()
    {
        var v1 = DirectoryPeople.Build(1, [Person("a", "member", "telegram:1")]);
        var v2 = v1.Apply(new DirectoryChanges(2, [Person("a", "member", "telegram:9")], []));
        var v3 = v2.Apply(new DirectoryChanges(3, [Person("b", "member", "telegram:1")], []));
        var v4 = v3.Apply(new DirectoryChanges(4, [], ["a"]));
        Assert.True(v4.TryGetByAccount(new PlatformPrincipal("telegram", "1"), out var owner));
        Assert.Equal("b", owner.Key);
        Assert.False(v4.TryGetByAccount(new PlatformPrincipal("telegram", "9"), out _));
    }

    [Fact]
    public void Thousands_of_changes_fold_into_a_new_base_and_agree_with_a_plain_model()
    {
        var random = new Random(11);
        var model = new Dictionary<string, DirectoryPerson>(StringComparer.Ordinal);
        var initial = Enumerable.Range(0, 2000).Select(i => Person($"p{i}", "member", $"telegram:{i}")).ToList();
        foreach (var p in initial)
        {
            model[p.Key] = p;
        }

        var people = DirectoryPeople.Build(1, initial);
        var folded = false;
        for (var step = 0; step < 3000; step++)
        {
            var key = $"p{random.Next(3000)}";
            DirectoryChanges changes;
            if (random.Next(3) == 0)
            {
                model.Remove(key);
                changes = new DirectoryChanges(step + 2, [], [key]);
            }
            else
            {
                // Each person keeps one account of their own: telegram:<n> for key p<n>.
                var person = Person(key, random.Next(2) == 0 ? "member" : "guest", "telegram:" + key[1..]);
                model[key] = person;
                changes = new DirectoryChanges(step + 2, [person], []);
            }

            var before = people.OverlayCount;
            people = people.Apply(changes);
            folded |= people.OverlayCount < before;
        }

        Assert.True(folded, "the overlay was never folded into the base");
        Assert.Equal(model.Count, people.Count);
        Assert.Equal(model.Keys.Order(StringComparer.Ordinal), people.People.Select(p => p.Key).Order(StringComparer.Ordinal));
        for (var i = 0; i < 3000; i++)
        {
            var key = $"p{i}";
            var found = people.TryGetByAccount(new PlatformPrincipal("telegram", i.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var byAccount);
            Assert.Equal(model.TryGetValue(key, out var expected), found);
            Assert.Equal(expected?.Role, byAccount?.Role);
            Assert.Equal(found, people.TryGetByKey(key, out _));
        }
    }

    [Fact]
    public void A_large_read_built_while_reading_gives_what_one_pass_in_order_gives()
    {
        // 50,000 entries (a dozen chunks, so the lookups are built on the second thread), with keys given again in later
        // chunks and accounts moved between people: the last entry of a key wins, an account is the last lister's, and
        // an account only an overridden entry held is gone.
        var random = new Random(7);
        var entries = new List<DirectoryPerson>();
        for (var i = 0; i < 50_000; i++)
        {
            var key = random.Next(10) == 0 ? $"p{random.Next(i + 1)}" : $"p{i}";
            var accounts = random.Next(20) == 0
                ? new[] { $"telegram:{random.Next(60_000)}", $"discord:{i}" }
                : new[] { $"telegram:{random.Next(60_000)}" };
            entries.Add(new DirectoryPerson(key, random.Next(2) == 0 ? "member" : "guest", null, accounts.Distinct().ToArray()));
        }

        var byKey = new Dictionary<string, DirectoryPerson>(StringComparer.Ordinal);
        var byAccount = new Dictionary<string, DirectoryPerson>(StringComparer.Ordinal);
        foreach (var person in entries)
        {
            if (byKey.TryGetValue(person.Key, out var earlier))
            {
                foreach (var account in earlier.Accounts)
                {
                    if (byAccount.TryGetValue(account, out var owner) && ReferenceEquals(owner, earlier))
                    {
                        byAccount.Remove(account);
                    }
                }
            }

            byKey[person.Key] = person;
            foreach (var account in person.Accounts)
            {
                byAccount[account] = person;
            }
        }

        using var builder = new DirectoryPeopleBuilder();
        foreach (var person in entries)
        {
            builder.Add(person);
        }

        foreach (var people in new[] { builder.Build(5), DirectoryPeople.Build(5, entries) })
        {
            Assert.Equal(5, people.Version);
            Assert.Equal(byKey.Count, people.Count);
            foreach (var (key, person) in byKey)
            {
                Assert.True(people.TryGetByKey(key, out var found));
                Assert.Same(person, found);
            }

            for (var n = 0; n < 60_000; n++)
            {
                var account = $"telegram:{n}";
                Assert.Equal(byAccount.TryGetValue(account, out var expected), people.TryGetByAccount(new PlatformPrincipal("telegram", n.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var actual));
                Assert.Same(expected, actual);
            }
        }
    }

    private static DirectoryPerson Person(string key, string role, string account) => new(key, role, null, [account]);
}
