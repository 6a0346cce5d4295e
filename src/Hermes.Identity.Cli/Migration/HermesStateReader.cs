using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// Reads Hermes Agent's state.db (schema versions 2 to 30 and later): the columns a version has are looked up, not
/// assumed. The file is never opened in place: it is copied (with its -wal) to a temporary folder and the copy is read,
/// so the home stays byte-for-byte as it was.
/// </summary>
internal sealed class HermesStateReader
{
    private HermesStateReader(int schemaVersion, IReadOnlyList<HermesSession> sessions, int rows, int inactive, int compacted, int empty, int chains)
    {
        SchemaVersion = schemaVersion;
        Sessions = sessions;
        SessionRows = rows;
        SkippedInactive = inactive;
        SkippedCompacted = compacted;
        EmptySessions = empty;
        ChainsMerged = chains;
    }

    public int SchemaVersion { get; }

    /// <summary>The conversations, compression chains merged, with at least one message.</summary>
    public IReadOnlyList<HermesSession> Sessions { get; }

    public int SessionRows { get; }

    public int SkippedInactive { get; }

    public int SkippedCompacted { get; }

    public int EmptySessions { get; }

    /// <summary>How many chains of two sessions or more were merged into one.</summary>
    public int ChainsMerged { get; }

    public static HermesStateReader Read(string stateDb)
    {
        var copy = Directory.CreateTempSubdirectory("hermes-identity-migrate-");
        try
        {
            var target = Path.Combine(copy.FullName, "state.db");
            File.Copy(stateDb, target);
            if (File.Exists(stateDb + "-wal"))
            {
                File.Copy(stateDb + "-wal", target + "-wal");
            }

            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            connection.Open();
            return Read(connection);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static HermesStateReader Read(SqliteConnection connection)
    {
        var version = ReadSchemaVersion(connection);
        var sessionColumns = Columns(connection, "sessions");
        var messageColumns = Columns(connection, "messages");
        if (!sessionColumns.Contains("id") || !messageColumns.Contains("session_id"))
        {
            throw new InvalidDataException("This state.db has no sessions and messages tables of Hermes Agent: is it a Hermes home?");
        }

        string Col(HashSet<string> columns, string name) => columns.Contains(name) ? name : "NULL";

        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        var order = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                $"SELECT id, {Col(sessionColumns, "source")}, {Col(sessionColumns, "user_id")}, {Col(sessionColumns, "chat_id")}, {Col(sessionColumns, "chat_type")}, " +
                $"{Col(sessionColumns, "title")}, {Col(sessionColumns, "started_at")}, {Col(sessionColumns, "parent_session_id")}, {Col(sessionColumns, "archived")} " +
                "FROM sessions ORDER BY rowid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = Text(reader, 0)!;
                rows[id] = new Row(id, Text(reader, 1) ?? "cli", Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5), Seconds(reader, 6), Text(reader, 7), !reader.IsDBNull(8) && reader.GetInt64(8) != 0);
                order.Add(id);
            }
        }

        var messages = new Dictionary<string, List<HermesMessage>>(StringComparer.Ordinal);
        int inactive = 0, compacted = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText =
                $"SELECT rowid, session_id, role, content, {Col(messageColumns, "tool_calls")}, {Col(messageColumns, "tool_call_id")}, {Col(messageColumns, "tool_name")}, " +
                $"{Col(messageColumns, "timestamp")}, {Col(messageColumns, "active")}, {Col(messageColumns, "compacted")} FROM messages ORDER BY rowid";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (!reader.IsDBNull(8) && reader.GetInt64(8) == 0)
                {
                    inactive++;
                    continue;
                }

                if (!reader.IsDBNull(9) && reader.GetInt64(9) != 0)
                {
                    compacted++;
                    continue;
                }

                var session = Text(reader, 1)!;
                if (!messages.TryGetValue(session, out var list))
                {
                    messages[session] = list = [];
                }

                list.Add(new HermesMessage(reader.GetInt64(0), Text(reader, 2) ?? "user", Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6), Seconds(reader, 7) ?? DateTimeOffset.UnixEpoch));
            }
        }

        // Compression chains: a session continued in another through parent_session_id. Each chain's root names it.
        string RootOf(string id)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (rows.TryGetValue(id, out var row) && row.Parent is { } parent && rows.ContainsKey(parent) && seen.Add(id))
            {
                id = parent;
            }

            return id;
        }

        var chains = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        var roots = new List<string>();
        foreach (var id in order)
        {
            var root = RootOf(id);
            if (!chains.TryGetValue(root, out var chain))
            {
                chains[root] = chain = [];
                roots.Add(root);
            }

            chain.Add(rows[id]);
        }

        var sessions = new List<HermesSession>();
        int empty = 0, merged = 0;
        foreach (var root in roots)
        {
            var chain = chains[root].OrderBy(r => r.StartedAt ?? DateTimeOffset.MaxValue).ThenBy(r => order.IndexOf(r.Id)).ToList();
            if (chain.Count > 1)
            {
                merged++;
            }

            var all = chain.SelectMany(r => messages.TryGetValue(r.Id, out var m) ? m : []).OrderBy(m => m.Time).ThenBy(m => m.Id).ToList();
            if (all.Count == 0)
            {
                empty++;
                continue;
            }

            var first = rows[root];
            var last = chain[^1];
            sessions.Add(new HermesSession(
                root,
                [.. chain.Select(r => r.Id)],
                first.Source,
                chain.Select(r => r.UserId).FirstOrDefault(u => !string.IsNullOrEmpty(u)),
                chain.Select(r => r.ChatId).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
                Kind(chain.Select(r => r.ChatType).FirstOrDefault(c => c is not null)),
                first.Title ?? chain.Select(r => r.Title).FirstOrDefault(t => t is not null),
                first.StartedAt ?? all[0].Time,
                last.Archived,
                all));
        }

        return new HermesStateReader(version, sessions, order.Count, inactive, compacted, empty, merged);
    }

    private static ChatKind Kind(string? chatType) => chatType switch
    {
        "group" => ChatKind.Group,
        "channel" => ChatKind.Channel,
        "thread" => ChatKind.Thread,
        _ => ChatKind.Direct,
    };

    private static int ReadSchemaVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        command.CommandText = "SELECT max(version) FROM schema_version";
        return command.ExecuteScalar() is long v ? (int)v : 0;
    }

    private static HashSet<string> Columns(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table)";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static string? Text(SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture);

    private static DateTimeOffset? Seconds(SqliteDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            return null;
        }

        var value = reader.GetValue(i);
        var seconds = value switch
        {
            long l => l,
            double d => d,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso) => iso.ToUnixTimeMilliseconds() / 1000.0,
            _ => double.NaN,
        };
        return double.IsNaN(seconds) ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
    }

    private sealed record Row(string Id, string Source, string? UserId, string? ChatId, string? ChatType, string? Title, DateTimeOffset? StartedAt, string? Parent, bool Archived);
}
