using System.Globalization;
using Hermes.Identity.Audit;
using Hermes.Identity.Policy;
using Hermes.Identity.PostgreSql.Audit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Tests.Audit;

// The decision audit on PostgreSQL (AddPostgreSqlAudit): one hash chain for every replica, checked by
// PostgreSqlAuditVerifier. Replicas are child processes (Hermes.Identity.PostgreSql.AuditWriter) deciding through the
// public API, or hosts in this process; tampering is done with plain SQL, as someone with write access to the table would.
public sealed class AuditChainTests(PostgresFixture postgres)
{
    private const string Writer = "Hermes.Identity.PostgreSql.AuditWriter";
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Three_processes_deciding_at_once_keep_one_gapless_chain_with_a_record_for_every_decision()
    {
        const int each = 150;
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        var children = new List<ChildProcess>();
        try
        {
            for (var w = 0; w < 3; w++)
            {
                children.Add(ChildProcess.Start(Writer, server.ConnectionString, schema, w.ToString(CultureInfo.InvariantCulture), each.ToString(CultureInfo.InvariantCulture)));
            }

            foreach (var child in children)
            {
                await child.WaitForLineAsync(l => l == "ready");
            }

            foreach (var child in children)
            {
                child.SendLine("go");
            }

            foreach (var child in children)
            {
                await child.WaitForExitAsync();
                Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}: {child.Errors}");
                Assert.Contains("done", child.Lines);
                Assert.Equal(each, child.Lines.Count(l => l.StartsWith("ack ", StringComparison.Ordinal)));
            }
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);
        Assert.True(verification.IsIntact, string.Join("\n", verification.Problems));
        Assert.Equal(3 * each, verification.RecordCount);

        var rows = await RowsAsync(server, schema);
        Assert.Equal(Enumerable.Range(1, 3 * each).Select(i => (long)i), rows.Select(r => r.Seq)); // gapless from 1
        var calls = rows.Select(r => Member(r.Record, "tool_call_id")).ToList();
        Assert.Equal(
            Enumerable.Range(0, 3).SelectMany(w => Enumerable.Range(0, each).Select(i => $"w{w}-{i}")).Order(StringComparer.Ordinal),
            calls.Order(StringComparer.Ordinal)); // each decision once, none twice
        Assert.Equal(3, calls.Select(c => c[..2]).Distinct().Count());

        // Each writer's decisions are in its own order within the one chain.
        for (var w = 0; w < 3; w++)
        {
            var mine = calls.Where(c => c.StartsWith($"w{w}-", StringComparison.Ordinal)).Select(c => int.Parse(c[3..], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, each), mine);
        }
    }

    [Fact]
    public async Task The_rows_are_the_lines_the_audit_file_holds_and_verify_as_a_file()
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using (var host = Host(server, schema, file: true))
        {
            await DecideAsync(host, 7);
            await using var turn = host.Begin("telegram", Identities.Mei);
            await host.Services.GetRequiredService<PolicyEngine>().AuthorizeAsync("memory.read", "louis\u00e9\u2026" + new string('x', 2000), Ct); // escaped, cut
            var lines = await File.ReadAllLinesAsync(Path.Combine(host.Root, "audit", "decisions.jsonl"), Ct);
            var rows = await RowsAsync(server, schema);

            Assert.Equal(8, lines.Length);
            Assert.Equal(lines, rows.Select(r => r.Record)); // byte for byte: one canonical record, one hash

            var copy = Path.Combine(host.Root, "copy.jsonl");
            await File.WriteAllLinesAsync(copy, rows.Select(r => r.Record), Ct);
            var asFile = DecisionLogVerifier.Verify(copy);
            Assert.True(asFile.IsIntact, string.Join("\n", asFile.Problems));
            var inDatabase = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);
            Assert.True(inDatabase.IsIntact, string.Join("\n", inDatabase.Problems));
            Assert.Equal(asFile.LastHash, inDatabase.LastHash);
            Assert.Equal(8, inDatabase.RecordCount);
        }
    }

    [Fact]
    public async Task An_edited_reason_is_reported_on_its_row()
    {
        var (server, schema) = await ChainAsync(6);
        await ExecuteAsync(server, $"UPDATE {schema}.decision_audit SET record = regexp_replace(record, '\"reason\":\"[^\"]*\"', '\"reason\":\"approved by the owner\"') WHERE seq = 4");

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);

        Assert.False(verification.IsIntact);
        Assert.Equal(
            ["Row seq 4: record 4 was changed after it was written (its hash does not match its content).",
             "Row seq 5: record 5 does not follow the record before it: the chain is broken there."],
            verification.Problems);
    }

    [Fact]
    public async Task A_row_rewritten_with_a_fresh_hash_breaks_the_chain_at_the_next_row()
    {
        var (server, schema) = await ChainAsync(6);
        var record = (await RowsAsync(server, schema))[3].Record; // seq 4: a denied call
        var content = record[..record.LastIndexOf(",\"hash\":", StringComparison.Ordinal)].Replace("\"deny\"", "\"allow\"", StringComparison.Ordinal) + "}";
        var forged = content[..^1] + ",\"hash\":\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content))) + "\"}";
        Assert.NotEqual(record, forged);
        await ExecuteAsync(server, $"UPDATE {schema}.decision_audit SET record = $1 WHERE seq = 4", forged);

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);

        Assert.Equal(["Row seq 5: record 5 does not follow the record before it: the chain is broken there."], verification.Problems);
    }

    [Fact]
    public async Task A_deleted_row_is_reported_where_it_was()
    {
        var (server, schema) = await ChainAsync(6);
        await ExecuteAsync(server, $"DELETE FROM {schema}.decision_audit WHERE seq = 3");

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);

        Assert.False(verification.IsIntact);
        Assert.Equal(["Row seq 4: record 4 where 3 was expected: records were deleted, inserted or reordered."], verification.Problems);
        Assert.Equal(5, verification.RecordCount);
    }

    [Fact]
    public async Task Rows_deleted_from_the_end_are_reported_by_the_chain_head()
    {
        var (server, schema) = await ChainAsync(6);
        await ExecuteAsync(server, $"DELETE FROM {schema}.decision_audit WHERE seq >= 5");

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);

        Assert.Equal(["The chain's head names record 6, but the last row is 4: records were deleted from the end."], verification.Problems);
    }

    [Fact]
    public async Task Reordered_rows_are_reported()
    {
        var (server, schema) = await ChainAsync(6);
        await ExecuteAsync(server, $"UPDATE {schema}.decision_audit SET seq = -3 WHERE seq = 3");
        await ExecuteAsync(server, $"UPDATE {schema}.decision_audit SET seq = 3 WHERE seq = 4");
        await ExecuteAsync(server, $"UPDATE {schema}.decision_audit SET seq = 4 WHERE seq = -3");

        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);

        Assert.False(verification.IsIntact);
        Assert.Contains("Row seq 3: holds record 4: rows were renumbered or moved.", verification.Problems);
        Assert.Contains("Row seq 4: holds record 3: rows were renumbered or moved.", verification.Problems);
    }

    [Fact]
    public async Task Every_acknowledged_decision_survives_sigkill_of_its_writer_and_the_chain_still_verifies()
    {
        const int rounds = 3;
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        var acked = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            using (var child = ChildProcess.Start(Writer, server.ConnectionString, schema, round.ToString(CultureInfo.InvariantCulture), "0"))
            {
                await child.WaitForLineAsync(l => l == "ready");
                child.SendLine("go");

                // Let some decisions through, then kill it wherever it is: often in the middle of an append.
                await child.WaitForLineAsync(l => l == "ack 20");
                await Task.Delay(Random.Shared.Next(0, 100), Ct);
                child.Kill();
                await child.WaitForExitAsync();
                Assert.True(child.Errors.Length == 0, child.Errors);
                acked.AddRange(child.Lines.Where(l => l.StartsWith("ack ", StringComparison.Ordinal)).Select(l => $"w{round}-{l[4..]}"));
            }

            var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);
            Assert.True(verification.IsIntact, $"round {round}: " + string.Join("\n", verification.Problems));

            var calls = (await RowsAsync(server, schema)).Select(r => Member(r.Record, "tool_call_id")).ToList();
            Assert.Equal(calls.Count, calls.Distinct().Count());
            Assert.All(acked, a => Assert.Contains(a, calls)); // no acknowledged decision lost
            Assert.InRange(calls.Count - acked.Count, 0, round + 1); // at most the one in flight at each kill
            Assert.Equal(calls.Count, verification.RecordCount);
        }

        Assert.True(acked.Count >= rounds * 21);
    }

    [Fact]
    public async Task A_decision_waits_for_its_record_and_is_refused_when_the_server_is_gone()
    {
        await using var server = await PostgresFixture.StartOwnAsync();
        var schema = PostgresServer.NewSchema();
        await using var host = Host(server, schema, file: false, tune: o =>
        {
            o.MaxRetries = 1;
            o.RetryDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(10);
        });
        await DecideAsync(host, 2);

        await server.StopAsync();
        await using (var turn = host.Begin("telegram", Identities.Mei))
        {
            var refused = await host.Services.GetRequiredService<PolicyEngine>().AuthorizeToolCallAsync("read_file", "while-down", Digest, Ct);
            Assert.Equal(PolicyEffect.Deny, refused.Effect);
            Assert.StartsWith("The decision could not be written to the audit, so the call is refused: PostgreSQL", refused.Reason, StringComparison.Ordinal);
            Assert.Contains("could not be reached", refused.Reason, StringComparison.Ordinal);
        }

        await server.StartAsync();
        await DecideAsync(host, 2);
        var verification = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);
        Assert.True(verification.IsIntact, string.Join("\n", verification.Problems));
        Assert.Equal(4, verification.RecordCount); // the refused call has no record: it was never written
    }

    [Fact]
    public async Task Verifying_a_schema_without_an_audit_says_what_to_check()
    {
        var server = postgres.Require();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, "nothing_here", Ct));
        Assert.Contains("holds no decision audit", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddPostgreSqlAudit", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, "Bad-Name", Ct));
    }

    private async Task<(PostgresServer Server, string Schema)> ChainAsync(int decisions)
    {
        var server = postgres.Require();
        var schema = PostgresServer.NewSchema();
        await using (var host = Host(server, schema, file: false))
        {
            await DecideAsync(host, decisions);
        }

        var intact = await PostgreSqlAuditVerifier.VerifyAsync(server.ConnectionString, schema, Ct);
        Assert.True(intact.IsIntact, string.Join("\n", intact.Problems));
        Assert.Equal(decisions, intact.RecordCount);
        return (server, schema);
    }

    private static HermesHost Host(PostgresServer server, string schema, bool file, Action<PostgreSqlOptions>? tune = null) =>
        new(Identities.Household(Identities.Tools), isolation: builder =>
        {
            builder.AddPostgreSqlAudit(o =>
            {
                o.ConnectionString = server.ConnectionString;
                o.Schema = schema;
                tune?.Invoke(o);
            });
            if (file)
            {
                builder.ConfigurePolicy(o => o.WriteAuditFile = true);
            }
        });

    // Alternates an allowed call (read_file) and a denied one (terminal) for mei (trusted).
    private static async Task DecideAsync(HermesHost host, int count)
    {
        var engine = host.Services.GetRequiredService<PolicyEngine>();
        await using var turn = host.Begin("telegram", Identities.Mei);
        for (var i = 0; i < count; i++)
        {
            var allowed = i % 2 == 0;
            var decision = await engine.AuthorizeToolCallAsync(allowed ? "read_file" : "terminal", $"call-{i}", Digest, Ct);
            Assert.True(allowed == decision.IsAllowed, $"call {i}: {decision.Effect}: {decision.Reason}");
            Assert.Empty(decision.Errors);
        }
    }

    private static async Task<List<(long Seq, string Record)>> RowsAsync(PostgresServer server, string schema)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand($"SELECT seq, record FROM {schema}.decision_audit ORDER BY seq", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(PostgresServer server, string sql, string? parameter = null)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        }

        Assert.True(await command.ExecuteNonQueryAsync(Ct) > 0);
    }

    private static string Member(string record, string name)
    {
        using var json = System.Text.Json.JsonDocument.Parse(record);
        return json.RootElement.GetProperty(name).GetString()!;
    }
}
