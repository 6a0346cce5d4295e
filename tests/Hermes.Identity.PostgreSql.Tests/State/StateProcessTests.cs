using System.Globalization;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.State;

// Child processes (Hermes.Identity.PostgreSql.StateWriter) committing through AddPostgreSqlState on one schema, as
// replicas do: racing to consume the same records, and killed with SIGKILL in the middle of a stream of commits.
public sealed class StateProcessTests(PostgresFixture postgres)
{
    private const string Writer = "Hermes.Identity.PostgreSql.StateWriter";

    private static IEnumerable<int> Numbers(ChildProcess child, string word) =>
        child.Lines.Where(l => l.StartsWith(word + " ", StringComparison.Ordinal)).Select(l => int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));

    [Fact]
    public async Task Three_processes_racing_to_consume_the_same_records_consume_each_exactly_once()
    {
        const int jobs = 150;
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using (var provider = Stores.Provider(server, schema))
        {
            var store = provider.GetRequiredService<IIdentityStateStore>();
            for (var i = 0; i < jobs; i += 50)
            {
                Assert.True(await store.TryCommitAsync([.. Enumerable.Range(i, 50).Select(j => StateChange.Put("queue", $"job{j}", "{}", 0))]));
            }
        }

        var children = new List<ChildProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                children.Add(ChildProcess.Start(Writer, "consume", server.ConnectionString, schema, jobs.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var child in children)
            {
                await child.WaitForLineAsync(l => l == "ready");
            }

            // All go at once, walking the same records in the same order.
            foreach (var child in children)
            {
                child.SendLine("go");
            }

            foreach (var child in children)
            {
                await child.WaitForExitAsync();
                Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {child.Errors}");
                Assert.Contains("done", child.Lines);
            }

            var consumed = children.Select(c => Numbers(c, "consumed").ToList()).ToList();
            Assert.Equal(Enumerable.Range(0, jobs), consumed.SelectMany(c => c).Order()); // each once, none twice
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }

        await using (var provider = Stores.Provider(server, schema))
        {
            var store = provider.GetRequiredService<IIdentityStateStore>();
            Assert.Empty(await store.ListAsync("queue"));
            Assert.Equal(jobs, (await store.ListAsync("consumed")).Count);
        }
    }

    [Fact]
    public async Task Every_acknowledged_commit_survives_sigkill_of_the_writer_and_each_batch_is_all_or_nothing()
    {
        const int rounds = 3;
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        var acked = new Dictionary<(int Writer, int I), long>();
        for (var round = 0; round < rounds; round++)
        {
            using (var child = ChildProcess.Start(Writer, "commit", server.ConnectionString, schema, round.ToString(CultureInfo.InvariantCulture)))
            {
                // Let some commits through, then kill it wherever it is: often mid-commit.
                await child.WaitForLineAsync(l => l.StartsWith("ack 5 ", StringComparison.Ordinal));
                await Task.Delay(Random.Shared.Next(0, 200));
                child.Kill();
                await child.WaitForExitAsync();
                Assert.True(child.Errors.Length == 0, child.Errors);
                foreach (var line in child.Lines.Where(l => l.StartsWith("ack ", StringComparison.Ordinal)))
                {
                    var parts = line.Split(' ');
                    acked[(round, int.Parse(parts[1], CultureInfo.InvariantCulture))] = long.Parse(parts[2], CultureInfo.InvariantCulture);
                }
            }

            await using var provider = Stores.Provider(server, schema);
            var store = provider.GetRequiredService<IIdentityStateStore>();
            var records = await store.ListAsync("crash");
            var batches = records.Where(r => r.Key.StartsWith('w'))
                .GroupBy(r => (Writer: int.Parse(r.Key.Split('-')[0][1..], CultureInfo.InvariantCulture), I: int.Parse(r.Key.Split('-')[1], CultureInfo.InvariantCulture)))
                .ToDictionary(g => g.Key, g => g.ToList());
            foreach (var (batch, version) in acked)
            {
                Assert.True(batches.TryGetValue(batch, out var present), $"round {round}: commit {batch} was acknowledged but is missing after SIGKILL");
                Assert.Equal(3, present.Count);
                Assert.All(present, r => Assert.Equal(version, r.Version));
            }

            foreach (var (_, present) in batches)
            {
                Assert.Equal(3, present.Count); // all of a batch or none of it, even the one in flight at the kill
                Assert.Single(present.Select(r => r.Version).Distinct());
            }

            Assert.InRange(batches.Keys.Count(b => !acked.ContainsKey(b)), 0, round + 1);
            for (var writer = 0; writer <= round; writer++)
            {
                var last = batches.Keys.Where(b => b.Writer == writer).Max(b => b.I);
                var counter = Assert.IsType<StateRecord>(await store.GetAsync("crash", $"counter-{writer}"));
                Assert.Equal($$"""{"i":{{last}}}""", counter.Data); // moved in the same commit as the batch
            }
        }

        Assert.True(acked.Count >= rounds * 6);
    }
}
