using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Cli.Tests;

/// <summary>
/// Hermes Agent homes built from the facts of hermes-agent (tools/memory_tool.py, hermes_state.py, gateway/pairing.py):
/// an old one (schema_version 2: no chat kind, no title, no active/compacted) and a recent one (schema_version 31), each
/// with real SQLite files, FTS5 tables, memory files joined by "\n§\n", an allow-list in .env and a pairing file.
/// </summary>
public static class HermesHomes
{
    /// <summary>2024-10-27T03:33:20Z: the first message of every home.</summary>
    public const long T0 = 1_730_000_000;

    public const string OwnerTelegram = "732113076";
    public const string MeiTelegram = "5550001";
    public const string AlexTelegram = "8880001";

    public static readonly string LongEntry = "Notes on the home server: " + new string('x', 2_180);

    public static void WriteRecent(string home)
    {
        Directory.CreateDirectory(home);
        WriteCommonFiles(home);
        using var db = Open(Path.Combine(home, "state.db"));
        Exec(db, """
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version (version) VALUES (31);
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, source TEXT NOT NULL, user_id TEXT, chat_id TEXT, chat_type TEXT, session_key TEXT,
                model TEXT, title TEXT, started_at REAL NOT NULL, ended_at REAL, parent_session_id TEXT,
                archived INTEGER NOT NULL DEFAULT 0, message_count INTEGER DEFAULT 0);
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,
                content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, timestamp REAL NOT NULL, token_count INTEGER,
                finish_reason TEXT, active INTEGER NOT NULL DEFAULT 1, compacted INTEGER NOT NULL DEFAULT 0);
            CREATE VIRTUAL TABLE messages_fts USING fts5(content, content=messages, content_rowid=id);
            CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
            END;
            """);

        Session(db, "s-cli", "cli", null, null, null, "Plan the trip", T0, parent: null, archived: false);
        Message(db, "s-cli", "user", "帮我计划西湖游船的行程", T0 + 1);
        Message(db, "s-cli", "assistant", null, T0 + 2, toolCalls: """[{"id":"call_1","type":"function","function":{"name":"web_search","arguments":"{\"q\":\"西湖游船\"}"}}]""");
        Message(db, "s-cli", "tool", "西湖游船 8:00-17:00", T0 + 3, toolCallId: "call_1", toolName: "web_search");
        Message(db, "s-cli", "assistant", "西湖游船每天8点开始。", T0 + 4);

        Session(db, "s-owner", "telegram", OwnerTelegram, OwnerTelegram, "dm", "Groceries", T0 + 100, parent: null, archived: false);
        Message(db, "s-owner", "user", "buy milk", T0 + 101);
        Message(db, "s-owner", "user", "an old draft the user edited away", T0 + 102, active: 0);
        Message(db, "s-owner", "assistant", "[summary of earlier turns]", T0 + 103, compacted: 1);
        Message(db, "s-owner", "assistant", "noted: milk", T0 + 104);

        // A compression chain: s-long was compressed and continued in s-long-2 (archived since).
        Session(db, "s-long", "telegram", OwnerTelegram, OwnerTelegram, "dm", "Long talk", T0 + 200, parent: null, archived: false);
        Message(db, "s-long", "user", "first half question", T0 + 201);
        Message(db, "s-long", "assistant", "first half answer", T0 + 202);
        Session(db, "s-long-2", "telegram", OwnerTelegram, OwnerTelegram, "dm", "Long talk #2", T0 + 300, parent: "s-long", archived: true);
        Message(db, "s-long-2", "user", "second half question", T0 + 301);
        Message(db, "s-long-2", "assistant", "second half answer", T0 + 302);

        Session(db, "s-mei", "telegram", MeiTelegram, "-100200", "group", "Family group", T0 + 400, parent: null, archived: false);
        Message(db, "s-mei", "user", "周末去公园吗", T0 + 401);
        Message(db, "s-mei", "assistant", "好的，周六上午去公园。", T0 + 402);

        Session(db, "s-alex", "telegram", AlexTelegram, AlexTelegram, "dm", "Hello", T0 + 500, parent: null, archived: false);
        Message(db, "s-alex", "user", "hi, I am Alex", T0 + 501);

        Session(db, "s-stranger", "discord", "4242", "4242", "dm", null, T0 + 600, parent: null, archived: false);
        Message(db, "s-stranger", "user", "who are you", T0 + 601);

        Session(db, "s-empty", "telegram", OwnerTelegram, OwnerTelegram, "dm", null, T0 + 700, parent: null, archived: false);
    }

    public static void WriteOld(string home)
    {
        Directory.CreateDirectory(home);
        WriteCommonFiles(home);
        using var db = Open(Path.Combine(home, "state.db"));
        Exec(db, """
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version (version) VALUES (2);
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, source TEXT NOT NULL, user_id TEXT, model TEXT, started_at REAL NOT NULL, ended_at REAL,
                message_count INTEGER DEFAULT 0, parent_session_id TEXT);
            CREATE TABLE messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), role TEXT NOT NULL,
                content TEXT, tool_call_id TEXT, tool_calls TEXT, tool_name TEXT, timestamp REAL NOT NULL);
            CREATE VIRTUAL TABLE messages_fts USING fts5(content, content=messages, content_rowid=id);
            """);
        Exec(db, $$"""
            INSERT INTO sessions (id, source, user_id, started_at) VALUES ('old-cli', 'cli', NULL, {{T0}});
            INSERT INTO sessions (id, source, user_id, started_at) VALUES ('old-tg', 'telegram', '{{OwnerTelegram}}', {{T0 + 50}}.5);
            INSERT INTO sessions (id, source, user_id, started_at) VALUES ('old-mei', 'telegram', '{{MeiTelegram}}', {{T0 + 80}});
            INSERT INTO messages (session_id, role, content, timestamp) VALUES ('old-cli', 'user', '西湖边的茶馆', {{T0 + 1}});
            INSERT INTO messages (session_id, role, content, tool_calls, timestamp) VALUES ('old-cli', 'assistant', NULL, '[{"id":"c9","type":"function","function":{"name":"terminal","arguments":{"cmd":"ls"' || '}' || '}' || '}]', {{T0 + 2}});
            INSERT INTO messages (session_id, role, content, tool_call_id, tool_name, timestamp) VALUES ('old-cli', 'tool', 'a b c', 'c9', 'terminal', {{T0 + 3}});
            INSERT INTO messages (session_id, role, content, timestamp) VALUES ('old-tg', 'user', 'remind me', {{T0 + 51}});
            INSERT INTO messages (session_id, role, content, timestamp) VALUES ('old-tg', 'assistant', 'sure', {{T0 + 52}}.25);
            INSERT INTO messages (session_id, role, content, timestamp) VALUES ('old-mei', 'user', 'hello from Mei', {{T0 + 81}});
            INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
            """);
    }

    public static string GatewayPid(string home, int pid)
    {
        var file = Path.Combine(home, "gateway.pid");
        File.WriteAllText(file, $$"""{"pid": {{pid}}, "kind": "hermes-gateway"}""");
        return file;
    }

    /// <summary>Every file of the home with its bytes, to show the migration left it as it was.</summary>
    public static Dictionary<string, string> Fingerprint(string home) =>
        Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(home, f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private static void WriteCommonFiles(string home)
    {
        Directory.CreateDirectory(Path.Combine(home, "memories"));
        // Joined by "\n§\n", no final newline; a duplicate (dropped) and an entry that takes MEMORY.md over 2,200 characters.
        File.WriteAllText(Path.Combine(home, "memories", "MEMORY.md"), string.Join("\n§\n", "Louis prefers tea", "The NAS is at 192.168.1.10", "Louis prefers tea", LongEntry));
        File.WriteAllText(Path.Combine(home, "memories", "USER.md"), string.Join("\n§\n", "Louis lives in Hangzhou", "路易斯喜欢西湖"));
        File.WriteAllText(Path.Combine(home, ".env"), $"OPENROUTER_API_KEY=sk-not-a-key\nTELEGRAM_ALLOWED_USERS={OwnerTelegram},{MeiTelegram}\n");
        Directory.CreateDirectory(Path.Combine(home, "platforms", "pairing"));
        File.WriteAllText(Path.Combine(home, "platforms", "pairing", "telegram-approved.json"), "{\"" + AlexTelegram + "\": {\"user_name\": \"Alex\", \"approved_at\": " + T0 + ".0}}");
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        db.Open();
        return db;
    }

    private static void Exec(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void Session(SqliteConnection db, string id, string source, string? userId, string? chatId, string? chatType, string? title, long started, string? parent, bool archived)
    {
        using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO sessions (id, source, user_id, chat_id, chat_type, session_key, title, started_at, parent_session_id, archived) VALUES ($id, $source, $user, $chat, $type, $key, $title, $started, $parent, $archived)";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$source", source);
        command.Parameters.AddWithValue("$user", (object?)userId ?? DBNull.Value);
        command.Parameters.AddWithValue("$chat", (object?)chatId ?? DBNull.Value);
        command.Parameters.AddWithValue("$type", (object?)chatType ?? DBNull.Value);
        command.Parameters.AddWithValue("$key", $"agent:main:{source}:{chatType ?? "dm"}:{chatId ?? "-"}");
        command.Parameters.AddWithValue("$title", (object?)title ?? DBNull.Value);
        command.Parameters.AddWithValue("$started", (double)started);
        command.Parameters.AddWithValue("$parent", (object?)parent ?? DBNull.Value);
        command.Parameters.AddWithValue("$archived", archived ? 1 : 0);
        command.ExecuteNonQuery();
    }

    private static void Message(SqliteConnection db, string session, string role, string? content, long time, string? toolCalls = null, string? toolCallId = null, string? toolName = null, int active = 1, int compacted = 0)
    {
        using var command = db.CreateCommand();
        command.CommandText = "INSERT INTO messages (session_id, role, content, tool_calls, tool_call_id, tool_name, timestamp, active, compacted) VALUES ($s, $r, $c, $calls, $id, $name, $t, $active, $compacted)";
        command.Parameters.AddWithValue("$s", session);
        command.Parameters.AddWithValue("$r", role);
        command.Parameters.AddWithValue("$c", (object?)content ?? DBNull.Value);
        command.Parameters.AddWithValue("$calls", (object?)toolCalls ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", (object?)toolCallId ?? DBNull.Value);
        command.Parameters.AddWithValue("$name", (object?)toolName ?? DBNull.Value);
        command.Parameters.AddWithValue("$t", (double)time);
        command.Parameters.AddWithValue("$active", active);
        command.Parameters.AddWithValue("$compacted", compacted);
        command.ExecuteNonQuery();
    }
}
