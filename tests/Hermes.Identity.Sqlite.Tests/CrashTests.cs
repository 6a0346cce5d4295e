using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Sqlite.Tests;

// Child processes writing through the public API, killed with SIGKILL or run side by side. Each test is
// bounded to a few seconds.
public sealed class CrashTests
{
    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadWrite");
        connection.Open();
        return connection;
    }

    private static List<string> Contents(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM messages ORDER BY id";
        using var reader = command.ExecuteReader();
        var contents = new List<string>();
        while (reader.Read())
        {
            contents.Add(reader.GetString(0));
        }

        return contents;
    }

    private static string IntegrityCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task Every_acknowledged_message_survives_sigkill()
    {
        const int rounds = 5, batch = 3;
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        var acked = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < rounds; round++)
        {
            using (var writer = SessionWriterProcess.Start(data.Root, round, count: 0, batch, "2"))
            {
                await writer.FirstAck.WaitAsync(TimeSpan.FromSeconds(60));
                await Task.Delay(Random.Shared.Next(20, 400));
                writer.Kill();
                await writer.WaitForExitAsync(TimeSpan.FromSeconds(30));
                Assert.True(writer.Errors.Length == 0, writer.Errors);
                foreach (var (_, index) in writer.Acks)
                {
                    for (var j = 0; j < batch; j++)
                    {
                        acked.Add($"w{round}-{index}-{j}");
                    }
                }
            }

            using var connection = OpenRaw(path);
            Assert.Equal("ok", IntegrityCheck(connection));
            var present = Contents(connection);
            Assert.Equal(present.Count, present.Distinct().Count());
            var missing = acked.Where(m => !present.Contains(m)).ToArray();
            Assert.True(missing.Length == 0, $"round {round}: acknowledged but missing after SIGKILL: {string.Join(", ", missing.Take(10))}");
            // A batch is one transaction: all of it or none of it, even the one in flight at the kill.
            foreach (var group in present.GroupBy(m => m[..m.LastIndexOf('-')]))
            {
                Assert.Equal(batch, group.Count());
            }

            // Nothing but the batch in flight at each kill may be there unacknowledged.
            Assert.InRange(present.Count(m => !acked.Contains(m)), 0, batch * (round + 1));
        }

        Assert.True(acked.Count >= rounds * batch);
    }

    [Fact]
    public async Task Several_processes_writing_the_same_and_different_profiles_store_every_row_once()
    {
        const int writers = 4, count = 40;
        await using var data = new TestData();
        // Everyone writes to mei; writers alternate between mei and louis or bob.
        var targets = Enumerable.Range(0, writers).Select(w => new[] { "2", w % 2 == 0 ? "1" : "3" }).ToArray();
        var processes = Enumerable.Range(0, writers).Select(w => SessionWriterProcess.Start(data.Root, w, count, batch: 1, targets[w])).ToArray();
        try
        {
            foreach (var process in processes)
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
            }

            for (var w = 0; w < writers; w++)
            {
                Assert.True(processes[w].ExitCode == 0 && processes[w].Errors.Length == 0, $"writer {w} failed (exit {processes[w].ExitCode}): {processes[w].Errors}");
                Assert.Equal(count, processes[w].Acks.Count);
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }

        var profiles = new Dictionary<string, string> { ["1"] = "louis", ["2"] = "mei", ["3"] = "bob" };
        foreach (var (user, key) in profiles)
        {
            using var connection = OpenRaw(data.DatabaseOf(key));
            Assert.Equal("ok", IntegrityCheck(connection));
            var expected = Enumerable.Range(0, writers)
                .SelectMany(w => Enumerable.Range(0, count).Where(i => targets[w][i % 2] == user).Select(i => $"w{w}-{i}-0"))
                .Order(StringComparer.Ordinal);
            Assert.Equal(expected, Contents(connection).Order(StringComparer.Ordinal));

            // Processes racing to create the group's session made exactly one.
            using var sessions = connection.CreateCommand();
            sessions.CommandText = "SELECT count(*) FROM sessions";
            Assert.Equal(1L, sessions.ExecuteScalar());
        }
    }
}
