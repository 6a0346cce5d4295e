using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Benchmarks;

// The session benchmarks' data: P profiles × M messages, once as one database per profile
// (agents/uNNNN/state.db, the real store's schema) and once as one shared database with a user_id column.
// Built once into a temp folder and reused by every benchmark process (a "complete" marker says it is whole).
internal static class SessionBenchmarkData
{
    public const int SessionsPerProfile = 10;

    // The term the search benchmarks look for: in about 1 message in 100.
    public const string RareTerm = "hangzhou";

    // A Chinese term of 4 characters (so the trigram index is used): also in about 1 message in 100.
    public const string ChineseTerm = "西湖游船";

    private static readonly string[] Words =
    [
        "the", "a", "we", "you", "meeting", "tomorrow", "weather", "report", "draft", "email", "send", "please", "check",
        "budget", "train", "ticket", "dinner", "family", "project", "deadline", "photo", "upload", "remind", "call", "doctor",
        "今天", "明天", "天气", "很好", "我们", "一起", "吃饭", "开会", "报告", "记得", "带伞", "下雨", "周末", "电影", "学习",
    ];

    public static int Profiles => EnvInt("HERMES_BENCH_PROFILES", 1_000);

    public static int MessagesPerProfile => EnvInt("HERMES_BENCH_MESSAGES_PER_PROFILE", 1_000);

    public static string Folder => Path.Combine(Path.GetTempPath(), "hermes-bench-sessions", $"p{Profiles}-m{MessagesPerProfile}-v1");

    public static string ProfileDatabase(int profile) => Path.Combine(Folder, "agents", ProfileKeyOf(profile), "state.db");

    public static string SharedDatabase => Path.Combine(Folder, "shared", "state.db");

    public static string ProfileKeyOf(int profile) => "u" + profile.ToString("D4", CultureInfo.InvariantCulture);

    public static void EnsureBuilt()
    {
        var marker = Path.Combine(Folder, "complete");
        if (File.Exists(marker))
        {
            return;
        }

        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        var clock = Stopwatch.StartNew();
        Parallel.For(0, Profiles, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, BuildProfile);
        var perProfile = clock.Elapsed;
        BuildShared();
        File.WriteAllText(marker, string.Create(CultureInfo.InvariantCulture,
            $"{Profiles} profiles x {MessagesPerProfile} messages; per-profile build {perProfile.TotalSeconds:F0} s, shared build {(clock.Elapsed - perProfile).TotalSeconds:F0} s\n"));
        Console.WriteLine(File.ReadAllText(marker));
    }

    // Message i of a profile, the same text in both layouts.
    public static IEnumerable<(int Session, string Role, string Content, long Time)> MessagesOf(int profile)
    {
        var random = new Random(profile);
        var text = new StringBuilder();
        for (var i = 0; i < MessagesPerProfile; i++)
        {
            text.Clear();
            var words = random.Next(8, 16);
            for (var w = 0; w < words; w++)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }

            var roll = random.Next(100);
            if (roll == 0)
            {
                text.Append("trip to ").Append(RareTerm);
            }
            else if (roll == 2)
            {
                text.Append("想坐").Append(ChineseTerm);
            }

            yield return (i % SessionsPerProfile, i % 2 == 0 ? "user" : "assistant", text.ToString(), 1_700_000_000_000 + i * 1_000L);
        }
    }

    // Loads the rows at schema version 1, then runs the store's own migration to version 2, which builds
    // the full-text index in one pass: an order of magnitude faster than indexing row by row.
    private static void BuildProfile(int profile)
    {
        var path = ProfileDatabase(profile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SessionSchema.Migrate(connection, targetVersion: 1);
            LoadProfile(connection, profile);
        }

        // Opening through the store migrates to the latest version and sets WAL.
        SessionDatabaseOpener.Open(path, create: false, new SqliteSessionOptions { Synchronous = SqliteSynchronousMode.Normal }, NullLogger.Instance).Dispose();
    }

    private static void LoadProfile(SqliteConnection connection, int profile) => Load(connection, [profile], withUserColumn: false);

    private static void BuildShared()
    {
        using var connection = SessionSharedDatabase.Open(SharedDatabase, SqliteSynchronousMode.Normal, withSearchIndex: false);
        Load(connection, Enumerable.Range(0, Profiles), withUserColumn: true);
        SessionSharedDatabase.AddSearchIndex(connection);
    }

    // Inserts the sessions and messages of the profiles in one transaction with prepared statements;
    // the shared layout also fills user_id.
    private static void Load(SqliteConnection connection, IEnumerable<int> profiles, bool withUserColumn)
    {
        var (userColumn, userValue) = withUserColumn ? ("user_id, ", "$user, ") : ("", "");
        using var transaction = connection.BeginTransaction(deferred: false);
        using var session = connection.CreateCommand();
        session.CommandText = $"INSERT INTO sessions (id, {userColumn}key, platform, chat_id, chat_kind, created, updated) VALUES ($id, {userValue}$key, 'telegram', $chat, 1, 0, 0) RETURNING seq";
        var sId = session.Parameters.Add("$id", SqliteType.Text);
        var sKey = session.Parameters.Add("$key", SqliteType.Text);
        var sChat = session.Parameters.Add("$chat", SqliteType.Text);
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO messages ({userColumn}session, role, content, time) VALUES ({userValue}$session, $role, $content, $time)";
        var pSession = insert.Parameters.Add("$session", SqliteType.Integer);
        var pRole = insert.Parameters.Add("$role", SqliteType.Text);
        var pContent = insert.Parameters.Add("$content", SqliteType.Text);
        var pTime = insert.Parameters.Add("$time", SqliteType.Integer);
        var sUser = withUserColumn ? session.Parameters.Add("$user", SqliteType.Text) : null;
        var pUser = withUserColumn ? insert.Parameters.Add("$user", SqliteType.Text) : null;
        session.Prepare();
        insert.Prepare();
        var sessionIds = new long[SessionsPerProfile];
        foreach (var profile in profiles)
        {
            var user = ProfileKeyOf(profile);
            if (sUser is not null && pUser is not null)
            {
                sUser.Value = user;
                pUser.Value = user;
            }

            for (var s = 0; s < SessionsPerProfile; s++)
            {
                sId.Value = Guid.NewGuid().ToString("N");
                sKey.Value = "telegram:group:chat" + s;
                sChat.Value = "chat" + s;
                sessionIds[s] = (long)session.ExecuteScalar()!;
            }

            foreach (var (s, role, content, time) in MessagesOf(profile))
            {
                pSession.Value = sessionIds[s];
                pRole.Value = role;
                pContent.Value = content;
                pTime.Value = time;
                insert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
