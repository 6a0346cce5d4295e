using Hermes.Identity.State;
using Xunit;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// What every <see cref="IIdentityStateStore"/> must do, written once: inherit this class in the store's test project,
/// give it a fresh store and a second instance on the same storage, and every case here runs against that store
/// (<c>dotnet test --filter "FullyQualifiedName~Conformance"</c>). Stores are real: a file, a database; never a stand-in.
/// </summary>
/// <remarks>
/// Beyond the interface's documentation the suite expects: versions are positive and only grow (a record deleted and
/// written again gets a newer version), a failed commit gives no version (the sequence stays), an expired record is
/// kept and returned like any other for at least a few minutes (deleting expired records is housekeeping, never
/// needed for correctness), and <see cref="StateRecord.ExpiresAt"/> comes back to the millisecond.
/// </remarks>
public abstract class StateStoreConformance : IAsyncDisposable
{
    private const string Kind = "conformance";

    /// <summary>A store on fresh, empty storage of its own (a new file, a new database or schema).</summary>
    protected abstract ValueTask<IIdentityStateStore> CreateStoreAsync();

    /// <summary>
    /// Another, independent instance of the store on the storage of <paramref name="store"/> (made by
    /// <see cref="CreateStoreAsync"/>), as another process of the same host would open it: no state shared in memory.
    /// </summary>
    protected abstract ValueTask<IIdentityStateStore> OpenSameStorageAsync(IIdentityStateStore store);

    /// <summary>Releases the stores and deletes their storage.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }

    private static StateChange Put(string key, string data, long? expected, DateTimeOffset? expiresAt = null) => StateChange.Put(Kind, key, data, expected, expiresAt);

    private static async Task<StateRecord> CreateAsync(IIdentityStateStore store, string key, string data = """{"n":0}""")
    {
        Assert.True(await store.TryCommitAsync([Put(key, data, 0)]), $"creating {key} was refused");
        return Assert.IsType<StateRecord>(await store.GetAsync(Kind, key));
    }

    [Fact]
    public async Task Conformance_an_empty_store_has_no_records_and_sequence_zero()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync(Kind, "missing"));
        Assert.Empty(await store.ListAsync(Kind));
        Assert.Empty(await store.ListAsync(Kind, "m"));
        Assert.Equal(0, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task Conformance_a_written_record_reads_back_with_its_kind_key_data_version_and_expiry()
    {
        var store = await CreateStoreAsync();
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddDays(3).ToUnixTimeMilliseconds()).ToOffset(TimeSpan.FromHours(2));
        const string data = """{"code":"7Q4-K2P","who":"mei","text":"héllo 😀 \u0000 \"quoted\""}""";
        Assert.True(await store.TryCommitAsync([Put("pairing:7Q4K2P", data, 0, expires), Put("plain", "{}", 0)]));

        var record = Assert.IsType<StateRecord>(await store.GetAsync(Kind, "pairing:7Q4K2P"));
        Assert.Equal(Kind, record.Kind);
        Assert.Equal("pairing:7Q4K2P", record.Key);
        Assert.Equal(data, record.Data);
        Assert.True(record.Version >= 1);
        Assert.Equal(expires, record.ExpiresAt); // the same instant; the offset may differ
        Assert.Null((await store.GetAsync(Kind, "plain"))!.ExpiresAt);

        // Kinds are separate name spaces, and names are compared ordinally (case matters).
        Assert.Null(await store.GetAsync("other", "pairing:7Q4K2P"));
        Assert.Null(await store.GetAsync(Kind, "PAIRING:7Q4K2P"));
        Assert.Null(await store.GetAsync(Kind.ToUpperInvariant(), "pairing:7Q4K2P"));
    }

    [Fact]
    public async Task Conformance_list_returns_the_kind_s_records_with_the_prefix_in_ordinal_key_order()
    {
        var store = await CreateStoreAsync();
        // Ordinal: upper case before lower case, U+FF21 (UTF-16 0xFF21) after U+1F600 (UTF-16 0xD83D...) although its code point is lower.
        string[] keys = ["b", "a:2", "a:10", "a:1", "A:1", "a:\uFF21", "a:\U0001F600", "a", "ab", "a:", "a:\u00E9", "\U0010FFFF"];
        Assert.True(await store.TryCommitAsync([.. keys.Select(k => Put(k, $$"""{"k":{{keys.ToList().IndexOf(k)}}}""", 0))]));
        Assert.True(await store.TryCommitAsync([StateChange.Put("other", "a:3", "{}", 0)]));

        Assert.Equal(keys.Order(StringComparer.Ordinal), (await store.ListAsync(Kind)).Select(r => r.Key));
        Assert.Equal(keys.Order(StringComparer.Ordinal), (await store.ListAsync(Kind, string.Empty)).Select(r => r.Key));
        foreach (var prefix in new[] { "a", "a:", "a:1", "A", "ab", "abc", "a:\U0001F600", "\U0010FFFF", "z" })
        {
            var expected = keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
            var listed = await store.ListAsync(Kind, prefix);
            Assert.Equal(expected, listed.Select(r => r.Key));
            Assert.All(listed, r => Assert.Equal(Kind, r.Kind));
        }

        var one = Assert.Single(await store.ListAsync(Kind, "a:1"), r => r.Key == "a:1");
        Assert.Equal((await store.GetAsync(Kind, "a:1"))!.Version, one.Version);
        Assert.Equal($$"""{"k":{{Array.IndexOf(keys, "a:1")}}}""", one.Data);
    }

    [Fact]
    public async Task Conformance_put_expecting_0_is_refused_when_the_record_exists()
    {
        var store = await CreateStoreAsync();
        var first = await CreateAsync(store, "code", """{"owner":"mei"}""");
        var sequence = await store.GetSequenceAsync();

        Assert.False(await store.TryCommitAsync([Put("code", """{"owner":"mallory"}""", 0)]));

        var now = Assert.IsType<StateRecord>(await store.GetAsync(Kind, "code"));
        Assert.Equal("""{"owner":"mei"}""", now.Data);
        Assert.Equal(first.Version, now.Version);
        Assert.Equal(sequence, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task Conformance_put_with_a_stale_or_unknown_version_is_refused_and_with_the_current_one_applied()
    {
        var store = await CreateStoreAsync();
        var first = await CreateAsync(store, "counter");
        Assert.True(await store.TryCommitAsync([Put("counter", """{"n":1}""", first.Version)]));
        var second = Assert.IsType<StateRecord>(await store.GetAsync(Kind, "counter"));
        Assert.True(second.Version > first.Version);

        Assert.False(await store.TryCommitAsync([Put("counter", """{"n":99}""", first.Version)]));
        Assert.False(await store.TryCommitAsync([Put("counter", """{"n":99}""", second.Version + 1000)]));
        Assert.False(await store.TryCommitAsync([Put("missing", "{}", second.Version)]));
        Assert.Null(await store.GetAsync(Kind, "missing"));
        Assert.Equal("""{"n":1}""", (await store.GetAsync(Kind, "counter"))!.Data);

        // No condition: creates or replaces whatever is there.
        Assert.True(await store.TryCommitAsync([Put("counter", """{"n":2}""", null), Put("fresh", "{}", null)]));
        Assert.Equal("""{"n":2}""", (await store.GetAsync(Kind, "counter"))!.Data);
        Assert.NotNull(await store.GetAsync(Kind, "fresh"));
    }

    [Fact]
    public async Task Conformance_delete_applies_only_under_its_condition()
    {
        var store = await CreateStoreAsync();
        var record = await CreateAsync(store, "approval");
        Assert.False(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", 0)]));
        Assert.False(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", record.Version + 1)]));
        Assert.NotNull(await store.GetAsync(Kind, "approval"));

        Assert.True(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", record.Version)]));
        Assert.Null(await store.GetAsync(Kind, "approval"));
        Assert.Empty(await store.ListAsync(Kind));

        // Deleting what is not there: fine without a condition or expecting absence, refused expecting a version.
        Assert.True(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", 0)]));
        Assert.True(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", null)]));
        Assert.False(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", record.Version)]));

        var again = await CreateAsync(store, "approval");
        Assert.True(again.Version > record.Version, "a record written again gets a newer version than it had before");
        Assert.True(await store.TryCommitAsync([StateChange.Delete(Kind, "approval", null)]));
        Assert.Null(await store.GetAsync(Kind, "approval"));
    }

    [Fact]
    public async Task Conformance_a_batch_with_one_failing_expectation_applies_nothing()
    {
        var store = await CreateStoreAsync();
        var kept = await CreateAsync(store, "kept", """{"v":"old"}""");
        var doomed = await CreateAsync(store, "doomed");
        var sequence = await store.GetSequenceAsync();

        // Each position of the failing change: first, middle, last.
        for (var failing = 0; failing < 3; failing++)
        {
            var changes = new List<StateChange>
            {
                Put("new", "{}", 0),
                Put("kept", """{"v":"new"}""", kept.Version),
                StateChange.Delete(Kind, "doomed", doomed.Version),
            };
            changes[failing] = failing switch
            {
                0 => Put("new", "{}", 12345),
                1 => Put("kept", """{"v":"new"}""", 0),
                _ => StateChange.Delete(Kind, "doomed", doomed.Version + 7),
            };
            Assert.False(await store.TryCommitAsync(changes));
            Assert.Null(await store.GetAsync(Kind, "new"));
            Assert.Equal("""{"v":"old"}""", (await store.GetAsync(Kind, "kept"))!.Data);
            Assert.Equal(kept.Version, (await store.GetAsync(Kind, "kept"))!.Version);
            Assert.Equal(doomed.Version, (await store.GetAsync(Kind, "doomed"))!.Version);
            Assert.Equal(sequence, await store.GetSequenceAsync());
        }

        Assert.True(await store.TryCommitAsync([Put("new", "{}", 0), Put("kept", """{"v":"new"}""", kept.Version), StateChange.Delete(Kind, "doomed", doomed.Version)]));
        Assert.NotNull(await store.GetAsync(Kind, "new"));
        Assert.Equal("""{"v":"new"}""", (await store.GetAsync(Kind, "kept"))!.Data);
        Assert.Null(await store.GetAsync(Kind, "doomed"));
    }

    [Fact]
    public async Task Conformance_arguments_are_validated_and_nothing_is_applied()
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.TryCommitAsync(null!).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryCommitAsync([]).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryCommitAsync([Put("a", "{}", 0), StateChange.Delete(Kind, "a", null)]).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryCommitAsync([Put("b", "{}", 0), Put("b", "{}", null)]).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryCommitAsync([Put("c", "{}", 0), null!]).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync(null!, "k").AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync(Kind, string.Empty).AsTask());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ListAsync(string.Empty).AsTask());
        Assert.Empty(await store.ListAsync(Kind));
        Assert.Equal(0, await store.GetSequenceAsync());

        // The same key in two kinds is two records.
        Assert.True(await store.TryCommitAsync([Put("same", "{}", 0), StateChange.Put("other", "same", "{}", 0)]));
    }

    [Fact]
    public async Task Conformance_a_commit_holds_at_most_64_changes()
    {
        var store = await CreateStoreAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TryCommitAsync([.. Enumerable.Range(0, 65).Select(i => Put($"k{i:D2}", "{}", 0))]).AsTask());
        Assert.Empty(await store.ListAsync(Kind));

        Assert.True(await store.TryCommitAsync([.. Enumerable.Range(0, 64).Select(i => Put($"k{i:D2}", "{}", 0))]));
        var records = await store.ListAsync(Kind);
        Assert.Equal(64, records.Count);
        Assert.All(records, r => Assert.InRange(r.Version, 1, long.MaxValue));
        Assert.True(await store.GetSequenceAsync() >= records.Max(r => r.Version));
    }

    [Fact]
    public async Task Conformance_the_sequence_grows_with_every_commit_and_covers_every_version()
    {
        var store = await CreateStoreAsync();
        var seen = new List<long>();
        var last = await store.GetSequenceAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await store.TryCommitAsync([Put($"r{i % 3}", $$"""{"i":{{i}}}""", null), Put($"s{i}", "{}", 0)]));
            var r = (await store.GetAsync(Kind, $"r{i % 3}"))!;
            var s = (await store.GetAsync(Kind, $"s{i}"))!;
            Assert.True(r.Version > last && s.Version > last, $"commit {i}: versions {r.Version} and {s.Version} are not above the sequence before it, {last}");
            var sequence = await store.GetSequenceAsync();
            Assert.True(sequence >= Math.Max(r.Version, s.Version));
            seen.Add(r.Version);
            last = sequence;
        }

        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        // A refused commit gives no version.
        Assert.False(await store.TryCommitAsync([Put("s0", "{}", 0)]));
        Assert.Equal(last, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task Conformance_expired_records_are_data_to_the_store_the_core_decides()
    {
        var store = await CreateStoreAsync();
        var expired = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
        var record = await CreateAsync(store, "old");
        Assert.True(await store.TryCommitAsync([Put("old", """{"gone":true}""", record.Version, expired)]));

        var read = Assert.IsType<StateRecord>(await store.GetAsync(Kind, "old"));
        Assert.Equal(expired, read.ExpiresAt);
        Assert.Equal("old", Assert.Single(await store.ListAsync(Kind)).Key);

        // It still counts as existing: creating it again must pass its version.
        Assert.False(await store.TryCommitAsync([Put("old", "{}", 0)]));
        Assert.True(await store.TryCommitAsync([Put("old", """{"fresh":true}""", read.Version, DateTimeOffset.UtcNow.AddHours(1))]));
        Assert.Equal("""{"fresh":true}""", (await store.GetAsync(Kind, "old"))!.Data);
    }

    [Fact]
    public async Task Conformance_a_cancelled_commit_applies_nothing()
    {
        var store = await CreateStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.TryCommitAsync([Put("x", "{}", 0)], cancelled.Token).AsTask());
        Assert.Null(await store.GetAsync(Kind, "x"));
        Assert.Equal(0, await store.GetSequenceAsync());
    }

    [Fact]
    public async Task Conformance_8_tasks_each_incrementing_one_counter_50_times_by_compare_and_swap_reach_exactly_400()
    {
        const int tasks = 8, increments = 50;
        var store = await CreateStoreAsync();
        await CreateAsync(store, "counter", "0");
        var before = await store.GetSequenceAsync();
        using var start = new Barrier(tasks);

        var workers = Enumerable.Range(0, tasks).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            var refused = 0;
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    var current = (await store.GetAsync(Kind, "counter"))!;
                    var next = (int.Parse(current.Data, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (await store.TryCommitAsync([Put("counter", next, current.Version)]))
                    {
                        break;
                    }

                    refused++;
                }
            }

            return refused;
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(HangGuard.Timeout);

        var counter = (await store.GetAsync(Kind, "counter"))!;
        Assert.Equal((tasks * increments).ToString(System.Globalization.CultureInfo.InvariantCulture), counter.Data);
        Assert.True(await store.GetSequenceAsync() >= before + (tasks * increments));
    }

    [Fact]
    public async Task Conformance_two_instances_on_one_storage_see_each_other_and_exactly_one_consumes_a_record()
    {
        const int rounds = 40;
        var first = await CreateStoreAsync();
        var second = await OpenSameStorageAsync(first);
        Assert.NotSame(first, second);

        var made = await CreateAsync(first, "shared", """{"from":"first"}""");
        var seen = Assert.IsType<StateRecord>(await second.GetAsync(Kind, "shared"));
        Assert.Equal(made.Version, seen.Version);
        Assert.Equal(await first.GetSequenceAsync(), await second.GetSequenceAsync());
        Assert.True(await second.TryCommitAsync([Put("shared", """{"from":"second"}""", seen.Version)]));
        Assert.Equal("""{"from":"second"}""", (await first.GetAsync(Kind, "shared"))!.Data);
        Assert.False(await first.TryCommitAsync([Put("shared", """{"from":"first again"}""", made.Version)]));

        var stores = new[] { first, second };
        var wins = new int[2];
        for (var round = 0; round < rounds; round++)
        {
            var key = $"job{round}";
            var job = await CreateAsync(stores[round % 2], key);
            using var start = new Barrier(2);
            var attempts = stores.Select(store => Task.Run(async () =>
            {
                var mine = (await store.GetAsync(Kind, key))!;
                start.SignalAndWait();
                return await store.TryCommitAsync([StateChange.Delete(Kind, key, mine.Version), Put($"done:{key}", "{}", 0)]);
            })).ToArray();
            var results = await Task.WhenAll(attempts).WaitAsync(HangGuard.Timeout);
            Assert.Equal(1, results.Count(won => won));
            wins[Array.IndexOf(results, true)]++;
            Assert.Null(await first.GetAsync(Kind, key));
            Assert.NotNull(await second.GetAsync(Kind, $"done:{key}"));
            Assert.True(job.Version > 0);
        }

        Assert.Equal(rounds, wins.Sum());
    }
}
