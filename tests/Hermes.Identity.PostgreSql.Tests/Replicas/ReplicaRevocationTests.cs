using Npgsql;

namespace Hermes.Identity.PostgreSql.Tests.Replicas;

// Three gateway replicas (child processes) on one database: a right taken away on replica A (a directory demotion or
// removal, a revoked pairing, a revoked grant) is enforced by the next decision on B and C. Each replica polls only once
// a minute, so the test waits for the NOTIFY to be applied (the replica prints the revision it applied, or that its state
// store's change token fired), then asserts that the next decision is a deny. And a listening connection that is killed
// (pg_terminate_backend) comes back and catches up on what changed while it was gone.
public sealed class ReplicaRevocationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_demotion_and_a_removal_in_the_directory_on_one_replica_are_enforced_by_the_next_decision_on_the_others()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        using var a = await GatewayReplica.StartAsync(server, schema);
        using var b = await GatewayReplica.StartAsync(server, schema);
        using var c = await GatewayReplica.StartAsync(server, schema);
        GatewayReplica[] others = [b, c];

        var added = (await a.SendAsync("dir-set dana owner telegram:9001")).Split(' ')[2];
        Assert.Contains("+d1", added, StringComparison.Ordinal);
        Assert.Equal("Allow", await a.DecideAsync("telegram", "9001")); // in force on A when the write returned
        foreach (var replica in others)
        {
            await replica.WaitForRevisionAsync(added);
            Assert.Equal("Allow", await replica.DecideAsync("telegram", "9001"));
        }

        var demoted = (await a.SendAsync("dir-set dana trusted telegram:9001")).Split(' ')[2];
        foreach (var replica in others)
        {
            await replica.WaitForRevisionAsync(demoted);
            Assert.Equal("Deny", await replica.DecideAsync("telegram", "9001"));
        }

        var removed = await a.SendAsync("dir-remove dana");
        Assert.StartsWith("ok True ", removed, StringComparison.Ordinal);
        var afterRemoval = removed.Split(' ')[2];
        foreach (var replica in others)
        {
            await replica.WaitForRevisionAsync(afterRemoval);
            var decision = await replica.SendAsync("decide telegram 9001 terminal");
            Assert.StartsWith("decision Deny guest", decision, StringComparison.Ordinal); // no longer dana: a guest
        }
    }

    [Fact]
    public async Task A_revoked_pairing_and_a_revoked_grant_on_one_replica_are_enforced_by_the_next_decision_on_the_others()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        using var a = await GatewayReplica.StartAsync(server, schema);
        using var b = await GatewayReplica.StartAsync(server, schema);
        using var c = await GatewayReplica.StartAsync(server, schema);
        GatewayReplica[] others = [b, c];

        // A discord account linked to Louis (owner) on A: Louis on every replica.
        var linked = (await a.SendAsync("link discord 5150")).Split(' ')[1];
        Assert.Contains("+p", linked, StringComparison.Ordinal);
        foreach (var replica in others)
        {
            await replica.WaitForRevisionAsync(linked);
            Assert.Equal("Allow", await replica.DecideAsync("discord", "5150"));
        }

        var unlinked = (await a.SendAsync("unlink discord 5150")).Split(' ');
        Assert.Equal("1", unlinked[1]);
        foreach (var replica in others)
        {
            await replica.WaitForRevisionAsync(unlinked[2]);
            var decision = await replica.SendAsync("decide discord 5150 terminal");
            Assert.StartsWith("decision Deny guest", decision, StringComparison.Ordinal);
        }

        // A grant to Mei (trusted: no exec of her own) issued on A lets her use the terminal on B and C ...
        Assert.Equal("Deny", await b.DecideAsync("telegram", "222"));
        var seen = others.Select(r => r.StateChanges).ToArray();
        var grant = (await a.SendAsync("grant mei tool.exec")).Split(' ')[1];
        for (var i = 0; i < others.Length; i++)
        {
            await others[i].WaitForStateChangeAsync(seen[i]);
            Assert.Equal("Allow", await others[i].DecideAsync("telegram", "222"));
        }

        // ... and revoked on A, it is refused by the next call on B and C.
        seen = [.. others.Select(r => r.StateChanges)];
        Assert.Equal("ok True", await a.SendAsync("revoke-grant " + grant));
        for (var i = 0; i < others.Length; i++)
        {
            await others[i].WaitForStateChangeAsync(seen[i]);
            Assert.Equal("Deny", await others[i].DecideAsync("telegram", "222"));
        }
    }

    [Fact]
    public async Task A_killed_listening_connection_reconnects_and_catches_up_on_what_changed_meanwhile()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        using var a = await GatewayReplica.StartAsync(server, schema);
        // B waits a second before connecting again: the change below is made while nobody listens on B.
        using var b = await GatewayReplica.StartAsync(server, schema, retryDelayMs: 1000);
        var added = (await a.SendAsync("dir-set dana owner telegram:9001")).Split(' ')[2];
        await b.WaitForRevisionAsync(added);
        Assert.Equal("Allow", await b.DecideAsync("telegram", "9001"));

        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", connection);
            kill.Parameters.AddWithValue($"hermes-listen {schema} {b.Pid}");
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        await b.Process.WaitForLineAsync(l => l == "log PostgreSqlListenerLost");
        var demoted = (await a.SendAsync("dir-set dana trusted telegram:9001")).Split(' ')[2];
        await b.Process.WaitForLineAsync(l => l == "log PostgreSqlListeningAgain");
        await b.WaitForRevisionAsync(demoted);
        var decision = await b.SendAsync("decide telegram 9001 terminal");
        Assert.True(decision.StartsWith("decision Deny dana", StringComparison.Ordinal), string.Join('\n', b.Process.Lines));

        // And it listens again: the next change arrives by NOTIFY.
        var removed = (await a.SendAsync("dir-remove dana")).Split(' ')[2];
        await b.WaitForRevisionAsync(removed);
        Assert.StartsWith("decision Deny guest", await b.SendAsync("decide telegram 9001 terminal"), StringComparison.Ordinal);
    }
}
