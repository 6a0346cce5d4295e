using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.Memory;

// Memory on PostgreSQL as two replicas see it: two hosts (two service providers, two data roots) on one schema.
public sealed class MemoryReplicaTests(PostgresFixture postgres)
{
    private static HermesHost Replica(PostgresServer server, string schema) =>
        new(Identities.Household(), isolation: builder => builder.AddPostgreSqlMemory(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = schema;
        }));

    [Fact]
    public async Task Edits_from_two_replicas_at_once_never_lose_each_other()
    {
        const int each = 25;
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using var first = Replica(server, schema);
        await using var second = Replica(server, schema);

        // Each edit in its own turn on its own task, as two gateways handle two messages of one person.
        async Task EditAsync(HermesHost host, string prefix)
        {
            for (var i = 0; i < each; i++)
            {
                await Task.Run(async () =>
                {
                    await using var turn = host.Begin("telegram", Identities.Mei);
                    var memory = turn.Services.GetRequiredService<IMemoryStore>();
                    var result = await memory.AddAsync(MemoryFile.Notes, $"{prefix} fact {i}");
                    Assert.True(result.Changed);
                });
            }
        }

        await Task.WhenAll(EditAsync(first, "first"), EditAsync(second, "second"), EditAsync(first, "third"), EditAsync(second, "fourth")).WaitAsync(HangGuard.Timeout);

        await using var reader = first.Begin("telegram", Identities.Mei);
        var notes = (await reader.Services.GetRequiredService<IMemoryStore>().ReadAsync()).Notes;
        var expected = new[] { "first", "second", "third", "fourth" }.SelectMany(p => Enumerable.Range(0, each).Select(i => $"{p} fact {i}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), notes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Replace_remove_limits_and_errors_are_the_file_stores_and_each_profile_has_its_own_memory()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using var first = Replica(server, schema);
        await using var second = Replica(server, schema);

        await using (var mei = first.Begin("telegram", Identities.Mei))
        {
            var memory = mei.Services.GetRequiredService<IMemoryStore>();
            await memory.AddAsync(MemoryFile.User, "Mei prefers tea");
            Assert.False((await memory.AddAsync(MemoryFile.User, "  Mei prefers tea ")).Changed);
            await memory.AddAsync(MemoryFile.User, "Mei lives in Taipei");
            await Assert.ThrowsAsync<MemoryEntryMatchException>(() => memory.ReplaceAsync(MemoryFile.User, "Mei", "ambiguous").AsTask());
            await Assert.ThrowsAsync<MemoryEntryMatchException>(() => memory.RemoveAsync(MemoryFile.User, "coffee").AsTask());
            var limited = await Assert.ThrowsAsync<MemoryLimitExceededException>(() => memory.AddAsync(MemoryFile.User, new string('x', 5_000)).AsTask());
            Assert.Equal(MemoryFile.User, limited.File);
            await Assert.ThrowsAnyAsync<MemoryException>(() => memory.AddAsync(MemoryFile.User, "   ").AsTask());
        }

        await using (var mei = second.Begin("telegram", Identities.Mei))
        {
            var memory = mei.Services.GetRequiredService<IMemoryStore>();
            var replaced = await memory.ReplaceAsync(MemoryFile.User, "tea", "Mei prefers oolong tea");
            Assert.Equal(["Mei prefers oolong tea", "Mei lives in Taipei"], replaced.Entries);
            await memory.RemoveAsync(MemoryFile.User, "Taipei");
            Assert.Equal(["Mei prefers oolong tea"], (await memory.ReadAsync()).User);
        }

        await using var louis = first.Begin("telegram", Identities.Louis);
        var louisMemory = louis.Services.GetRequiredService<IMemoryStore>();
        Assert.Empty((await louisMemory.ReadAsync()).User);
        await louisMemory.AddAsync(MemoryFile.Shared, "The wifi password is on the fridge");
        Assert.Equal(["The wifi password is on the fridge"], (await louisMemory.ReadAsync()).Shared);
        Assert.False(Directory.Exists(Path.Combine(first.Root, "memories")), "memory on PostgreSQL writes no memory files");
    }
}
