using System.Security.Cryptography;
using Hermes.Identity.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// A Hermes Agent state.db (or another program's database) where a profile's session database should be is refused
// with what to do, before anything is written to it: not SQLite's "table sessions already exists". The Hermes files
// are built here from hermes_state.py's schema: an old one (version 5: no chat columns, rollback journal) and a
// recent one (version 30: chat_id, chat_type, session_key, archived, messages.active and compacted, WAL, FTS5).
public sealed class ForeignDatabaseTests
{
    private const string OldHermesSchema = """
        PRAGMA journal_mode = DELETE;
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (5);
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY, source TEXT NOT NULL, user_id TEXT, model TEXT, model_config TEXT, system_prompt TEXT,
            parent_session_id TEXT REFERENCES sessions(id) ON DELETE SET NULL, started_at REAL NOT NULL, ended_at REAL,
            end_reason TEXT, message_count INTEGER DEFAULT 0, tool_call_count INTEGER DEFAULT 0,
            input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0, title TEXT);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            role TEXT NOT NULL, content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, timestamp REAL NOT NULL,
            token_count INTEGER, finish_reason TEXT);
        CREATE VIRTUAL TABLE messages_fts USING fts5(content, content=messages, content_rowid=id);
        INSERT INTO sessions (id, source, user_id, started_at, title) VALUES ('20250301_101500_ab12', 'telegram', '5550001', 1740824100.5, 'Tea');
        INSERT INTO messages (session_id, role, content, timestamp) VALUES ('20250301_101500_ab12', 'user', '我们明天去杭州看西湖', 1740824101.0);
        """;

    private const string RecentHermesSchema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (30);
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY, source TEXT NOT NULL, created_source TEXT, user_id TEXT, session_key TEXT, chat_id TEXT,
            chat_type TEXT, thread_id TEXT, display_name TEXT, model TEXT, parent_session_id TEXT, started_at REAL NOT NULL,
            ended_at REAL, end_reason TEXT, title TEXT, title_source TEXT, archived INTEGER NOT NULL DEFAULT 0,
            pinned INTEGER NOT NULL DEFAULT 0, FOREIGN KEY (parent_session_id) REFERENCES sessions(id));
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,
            content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, timestamp REAL NOT NULL,
            active INTEGER NOT NULL DEFAULT 1, compacted INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE state_meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE VIRTUAL TABLE messages_fts USING fts5(content, content=messages, content_rowid=id);
        CREATE VIRTUAL TABLE messages_fts_trigram USING fts5(content, content=messages, content_rowid=id, tokenize='trigram');
        INSERT INTO sessions (id, source, user_id, session_key, chat_id, chat_type, started_at, title)
            VALUES ('s-1', 'telegram', '5550001', 'agent:main:telegram:dm:5550001', '5550001', 'dm', 1761900000.25, 'Trip');
        INSERT INTO messages (session_id, role, content, tool_calls, timestamp)
            VALUES ('s-1', 'assistant', NULL, '[{"id":"c1","type":"function","function":{"name":"web_search","arguments":"{}"}}]', 1761900001.0);
        """;

    [Theory]
    [InlineData(OldHermesSchema, 5, "delete")]
    [InlineData(RecentHermesSchema, 30, "wal")]
    public async Task A_hermes_state_db_in_a_profiles_place_is_refused_with_the_migrate_command_and_left_untouched(string schema, int version, string journal)
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Create(path, schema);
        var before = Fingerprint(path);

        await using (var turn = data.BeginTurn("2"))
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => turn.Services.GetRequiredService<ISessionStore>().OpenCurrentSessionAsync());
            Assert.Contains($"profile 'mei' ({path}) is a Hermes Agent state.db (schema version {version})", error.Message, StringComparison.Ordinal);
            Assert.Contains("`hermes-identity migrate hermes HERMES_HOME --owner mei`", error.Message, StringComparison.Ordinal);
            Assert.Contains("nothing in it was changed", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("already exists", error.Message, StringComparison.Ordinal);
        }

        // The owner's view of every profile says the same.
        await using (var owner = data.BeginTurn("1"))
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => owner.Services.GetRequiredService<IAllSessionsReader>().ListSessionsAsync("mei"));
            Assert.Contains("hermes-identity migrate hermes HERMES_HOME --owner mei", error.Message, StringComparison.Ordinal);
        }

        await data.StopHostAsync();
        Assert.Equal(before, Fingerprint(path));
        using var connection = Open(path);
        Assert.Equal(journal, Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal("0", Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check"));
    }

    [Fact]
    public async Task Another_programs_database_in_a_profiles_place_is_refused_untouched()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Create(path, "PRAGMA journal_mode = DELETE; CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT); INSERT INTO sessions VALUES ('x', 'kept');");
        var before = Fingerprint(path);

        await using (var turn = data.BeginTurn("2"))
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => turn.Services.GetRequiredService<ISessionStore>().OpenCurrentSessionAsync());
            Assert.Contains($"profile 'mei' ({path}) holds 2 table(s) or index(es) that Hermes.Identity did not make", error.Message, StringComparison.Ordinal);
            Assert.Contains("move it away", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Hermes Agent", error.Message, StringComparison.Ordinal);
        }

        await data.StopHostAsync();
        Assert.Equal(before, Fingerprint(path));
    }

    [Fact]
    public async Task An_empty_sqlite_file_in_a_profiles_place_becomes_its_session_database()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Create(path, "PRAGMA journal_mode = WAL;");

        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = await store.OpenCurrentSessionAsync();
        await store.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, "hello")]);
        Assert.Equal("hello", Assert.Single(await store.GetMessagesAsync(session.Id)).Content);
    }

    private static void Create(string path, string sql)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var connection = Open(path))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    // The database file's bytes, and which of its -wal and -shm exist.
    private static string Fingerprint(string path) =>
        Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + $" wal:{File.Exists(path + "-wal")} shm:{File.Exists(path + "-shm")}";
}
