using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Hermes.Identity.Benchmarks;

// The session benchmarks' data in PostgreSQL: the same P profiles × M messages as SessionBenchmarkData (the same text,
// message for message), in the PostgreSQL session store's own tables (schema "bench", made by the store's migration).
// Seeded once by bulk load: the store's indexes and foreign key on messages are dropped, sessions and messages are
// loaded with binary COPY, then the indexes (the pg_trgm GIN index among them) and the key are made again from their
// saved definitions, and the tables analyzed. The cluster is kept in $TMPDIR/hermes-bench-pg/p<P>-m<M>-v1 and reused;
// the table seed_complete says the load finished.
internal static class PostgresSessionData
{
    public const string Schema = "bench";

    public static string Folder => Path.Combine(Path.GetTempPath(), "hermes-bench-pg", $"p{SessionBenchmarkData.Profiles}-m{SessionBenchmarkData.MessagesPerProfile}-v1");

    // Starts the kept cluster, seeding it first when needed.
    public static BenchPostgresServer StartSeeded()
    {
        var server = BenchPostgresServer.Start(Folder);
        try
        {
            using var source = NpgsqlDataSource.Create(server.ConnectionString);
            if (Scalar(source, $"SELECT to_regclass('{Schema}.seed_complete') IS NOT NULL") is true)
            {
                return server;
            }

            Seed(server, source);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    // A host (one "replica": its own service provider and connection pool) with the PostgreSQL sessions on the cluster,
    // whose identities.yaml lists every benchmark profile: u0000 … on telegram 2000000 + i.
    public static ServiceProvider Host(BenchPostgresServer server, string root)
    {
        Directory.CreateDirectory(root);
        var yaml = new StringBuilder("version: 1\nunknown_senders: deny\nidentities:\n");
        for (var i = 0; i < SessionBenchmarkData.Profiles; i++)
        {
            yaml.Append("  ").Append(SessionBenchmarkData.ProfileKeyOf(i)).Append(": { role: trusted, accounts: { telegram: \"").Append(Account(i)).Append("\" } }\n");
        }

        File.WriteAllText(Path.Combine(root, "identities.yaml"), yaml.ToString());
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root).AddPostgreSqlSessions(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = Schema;
        });
        return services.BuildServiceProvider();
    }

    public static SenderEnvelope Sender(int profile) =>
        new("telegram", Account(profile).ToString(CultureInfo.InvariantCulture), "chat0", ChatKind.Group, "bench");

    // Runs body in a turn of profile's person on the host, with the turn's session store.
    public static async Task<T> InTurnAsync<T>(IServiceProvider host, int profile, Func<ISessionStore, Task<T>> body)
    {
        T result = default!;
        var resolution = await host.GetRequiredService<ITurnScopeFactory>().RunTurnAsync(Sender(profile), async turn =>
        {
            result = await body(turn.Services.GetRequiredService<ISessionStore>()).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return resolution.IsAdmitted ? result : throw new InvalidOperationException($"Profile {profile} was not admitted: {resolution.RejectionReason}");
    }

    private static int Account(int profile) => 2_000_000 + profile;

    private static void Seed(BenchPostgresServer server, NpgsqlDataSource source)
    {
        var clock = Stopwatch.StartNew();
        Execute(source, $"DROP SCHEMA IF EXISTS {Schema} CASCADE");

        // The store makes its schema (migration 1) on its first call.
        var root = Path.Combine(Folder, "host");
        var host = Host(server, root);
        try
        {
            _ = InTurnAsync(host, 0, async store => await store.ListSessionsAsync().ConfigureAwait(false)).GetAwaiter().GetResult();
        }
        finally
        {
            host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var indexes = Rows(source, $"SELECT indexdef FROM pg_indexes WHERE schemaname = '{Schema}' AND tablename = 'messages' AND indexname <> 'messages_pkey'");
        var keys = Rows(source, $"SELECT 'ALTER TABLE {Schema}.messages ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{Schema}.messages'::regclass AND contype = 'f'");
        foreach (var name in Rows(source, $"SELECT quote_ident(conname) FROM pg_constraint WHERE conrelid = '{Schema}.messages'::regclass AND contype = 'f'"))
        {
            Execute(source, $"ALTER TABLE {Schema}.messages DROP CONSTRAINT {name}");
        }

        foreach (var name in Rows(source, $"SELECT quote_ident(indexname) FROM pg_indexes WHERE schemaname = '{Schema}' AND tablename = 'messages' AND indexname <> 'messages_pkey'"))
        {
            Execute(source, $"DROP INDEX {Schema}.{name}");
        }

        using (var connection = source.OpenConnection())
        {
            using (var sessions = connection.BeginBinaryImport($"COPY {Schema}.sessions (seq, profile, id, key, platform, chat_id, chat_kind, title, created, updated, archived) FROM STDIN (FORMAT BINARY)"))
            {
                for (var p = 0; p < SessionBenchmarkData.Profiles; p++)
                {
                    for (var s = 0; s < SessionBenchmarkData.SessionsPerProfile; s++)
                    {
                        sessions.StartRow();
                        sessions.Write(SessionSeq(p, s), NpgsqlDbType.Bigint);
                        sessions.Write(SessionBenchmarkData.ProfileKeyOf(p), NpgsqlDbType.Text);
                        sessions.Write(Guid.NewGuid().ToString("N"), NpgsqlDbType.Text);
                        sessions.Write("telegram:group:chat" + s.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                        sessions.Write("telegram", NpgsqlDbType.Text);
                        sessions.Write("chat" + s.ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
                        sessions.Write(1, NpgsqlDbType.Integer);
                        sessions.WriteNull();
                        sessions.Write(0L, NpgsqlDbType.Bigint);
                        sessions.Write(0L, NpgsqlDbType.Bigint);
                        sessions.Write(false, NpgsqlDbType.Boolean);
                    }
                }

                sessions.Complete();
            }

            using var messages = connection.BeginBinaryImport($"COPY {Schema}.messages (id, profile, session, role, content, tool_name, tool_call_id, time) FROM STDIN (FORMAT BINARY)");
            var id = 0L;
            for (var p = 0; p < SessionBenchmarkData.Profiles; p++)
            {
                var profile = SessionBenchmarkData.ProfileKeyOf(p);
                foreach (var (s, role, content, time) in SessionBenchmarkData.MessagesOf(p))
                {
                    messages.StartRow();
                    messages.Write(++id, NpgsqlDbType.Bigint);
                    messages.Write(profile, NpgsqlDbType.Text);
                    messages.Write(SessionSeq(p, s), NpgsqlDbType.Bigint);
                    messages.Write(role, NpgsqlDbType.Text);
                    messages.Write(content, NpgsqlDbType.Text);
                    messages.WriteNull();
                    messages.WriteNull();
                    messages.Write(time, NpgsqlDbType.Bigint);
                }
            }

            messages.Complete();
        }

        var loaded = clock.Elapsed;
        foreach (var sql in indexes.Concat(keys))
        {
            Execute(source, sql);
        }

        Execute(source, $"SELECT setval(pg_get_serial_sequence('{Schema}.sessions', 'seq'), (SELECT max(seq) FROM {Schema}.sessions))");
        Execute(source, $"SELECT setval(pg_get_serial_sequence('{Schema}.messages', 'id'), (SELECT max(id) FROM {Schema}.messages))");
        Execute(source, $"VACUUM ANALYZE {Schema}.sessions");
        Execute(source, $"VACUUM ANALYZE {Schema}.messages");
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{SessionBenchmarkData.Profiles} profiles x {SessionBenchmarkData.MessagesPerProfile} messages; COPY {loaded.TotalSeconds:F0} s, indexes, key and analyze {(clock.Elapsed - loaded).TotalSeconds:F0} s");
        Execute(source, $"CREATE TABLE {Schema}.seed_complete (note text NOT NULL); INSERT INTO {Schema}.seed_complete VALUES ('{note}')");
        Console.WriteLine("PostgreSQL seeded: " + note);
    }

    private static long SessionSeq(int profile, int session) => (long)profile * SessionBenchmarkData.SessionsPerProfile + session + 1;

    private static void Execute(NpgsqlDataSource source, string sql)
    {
        using var command = source.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlDataSource source, string sql)
    {
        using var command = source.CreateCommand(sql);
        return command.ExecuteScalar();
    }

    private static List<string> Rows(NpgsqlDataSource source, string sql)
    {
        using var command = source.CreateCommand(sql);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
