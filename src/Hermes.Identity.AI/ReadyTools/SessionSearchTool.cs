using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Identity.Sessions;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's session_search over the turn's profile's own sessions (ISessionStore: nobody else's, whatever the
// arguments say). Three shapes: no arguments lists recent sessions; query searches messages and titles, grouped by session;
// session_id reads the latest messages of one session.
internal sealed class SessionSearchTool() : ReadyTool(ToolName, Summary, Schema)
{
    public const string ToolName = "session_search";

    private const int MaxHitsPerSession = 3;

    private const string Summary =
        "Search your past conversations with this person, or browse them. Returns the actual stored messages.\n\n" +
        "1) No arguments: the most recent sessions (titles, when).\n" +
        "2) query: sessions whose messages or titles contain every term (case-insensitive; works without spaces, e.g. " +
        "Chinese). 'a OR b' searches either; quotes and a trailing * are ignored.\n" +
        "3) session_id: the latest messages of that session (use after a search for more context).\n\n" +
        "Use it when the person says 'last time', 'remember when', 'as I mentioned'. Only this person's own sessions are searched.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "query": { "type": "string", "description": "Words to search for. Omit to list recent sessions." },
            "limit": { "type": "integer", "description": "Maximum number of sessions to return (default: 5, max: 20), or of messages when reading a session (default: 20, max: 100)", "default": 5 },
            "session_id": { "type": "string", "description": "A session id from an earlier result: read its latest messages." },
            "role_filter": { "type": "string", "description": "Only messages from these roles, comma-separated (e.g. 'user,assistant')." }
          }
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IServiceProvider services, CancellationToken cancellationToken)
    {
        var store = Service<ISessionStore>(services, "session history");
        var roles = Roles(arguments.String("role_filter"));
        if (arguments.String("session_id") is { Length: > 0 } sessionId)
        {
            return await ReadAsync(store, sessionId.Trim(), arguments.Int("limit", 20, 1, 100), roles, cancellationToken).ConfigureAwait(false);
        }

        var limit = arguments.Int("limit", 5, 1, 20);
        var query = arguments.String("query");
        if (string.IsNullOrWhiteSpace(query))
        {
            return await BrowseAsync(store, limit, cancellationToken).ConfigureAwait(false);
        }

        return await SearchAsync(store, query, limit, roles, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<string> BrowseAsync(ISessionStore store, int limit, CancellationToken cancellationToken)
    {
        var sessions = await store.ListSessionsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var results = new JsonArray();
        foreach (var session in sessions.Take(limit))
        {
            results.Add((JsonNode)new JsonObject
            {
                ["session_id"] = session.Id,
                ["title"] = session.Title,
                ["started_at"] = Time(session.Created),
                ["last_active"] = Time(session.Updated),
            });
        }

        var result = ToolResult.Success();
        result["mode"] = "browse";
        result["results"] = results;
        result["count"] = results.Count;
        result["message"] = $"Showing the {results.Count} most recent sessions. Pass query= to search, or session_id= to read one.";
        return result.Text();
    }

    private static async ValueTask<string> SearchAsync(ISessionStore store, string query, int limit, HashSet<string>? roles, CancellationToken cancellationToken)
    {
        var hits = new List<SessionSearchHit>();
        foreach (var alternative in Alternatives(query))
        {
            hits.AddRange(await store.SearchAsync(alternative, 50, cancellationToken).ConfigureAwait(false));
        }

        var sessions = new List<(string Id, List<SessionSearchHit> Hits)>();
        var seen = new HashSet<(string, long?)>();
        foreach (var hit in hits)
        {
            if ((roles is not null && (hit.Role is null || !roles.Contains(hit.Role))) || !seen.Add((hit.SessionId, hit.MessageId)))
            {
                continue;
            }

            var index = sessions.FindIndex(s => s.Id == hit.SessionId);
            if (index < 0)
            {
                sessions.Add((hit.SessionId, [hit]));
            }
            else if (sessions[index].Hits.Count < MaxHitsPerSession)
            {
                sessions[index].Hits.Add(hit);
            }
        }

        var results = new JsonArray();
        foreach (var (id, sessionHits) in sessions.Take(limit))
        {
            var matches = new JsonArray();
            foreach (var hit in sessionHits)
            {
                matches.Add((JsonNode)new JsonObject
                {
                    ["message_id"] = hit.MessageId,
                    ["role"] = hit.Role ?? "title",
                    ["when"] = Time(hit.Time),
                    ["snippet"] = hit.Snippet,
                });
            }

            results.Add((JsonNode)new JsonObject { ["session_id"] = id, ["title"] = sessionHits[0].SessionTitle, ["matches"] = matches });
        }

        var result = ToolResult.Success();
        result["mode"] = "search";
        result["query"] = query;
        result["results"] = results;
        result["count"] = results.Count;
        if (results.Count == 0)
        {
            result["message"] = "No past session matched. Try fewer or other words.";
        }

        return result.Text();
    }

    private static async ValueTask<string> ReadAsync(ISessionStore store, string sessionId, int limit, HashSet<string>? roles, CancellationToken cancellationToken)
    {
        var session = await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var messages = await store.GetMessagesAsync(sessionId, roles is null ? limit : null, cancellationToken).ConfigureAwait(false);
        var shown = new JsonArray();
        foreach (var message in (roles is null ? messages : messages.Where(m => roles.Contains(m.Role)).TakeLast(limit).ToList()))
        {
            shown.Add((JsonNode)new JsonObject
            {
                ["id"] = message.Id,
                ["role"] = message.Role,
                ["content"] = message.Content,
                ["timestamp"] = Time(message.Time),
            });
        }

        var result = ToolResult.Success();
        result["mode"] = "read";
        result["session_id"] = session.Id;
        result["title"] = session.Title;
        result["started_at"] = Time(session.Created);
        result["messages"] = shown;
        result["message"] = $"The latest {shown.Count} messages of the session, oldest first.";
        return result.Text();
    }

    // Hermes Agent's queries are FTS5 syntax; the store takes plain terms. "a OR b" becomes two searches; quotes, a trailing
    // '*' and AND are dropped (every term must occur anyway); NOT and the term after it are dropped.
    private static List<string> Alternatives(string query)
    {
        var alternatives = new List<string>();
        var current = new List<string>();
        var words = query.Replace("\"", " ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            switch (word)
            {
                case "OR":
                    Flush();
                    break;
                case "AND":
                    break;
                case "NOT":
                    i++;
                    break;
                default:
                    current.Add(word.TrimEnd('*'));
                    break;
            }
        }

        Flush();
        return alternatives.Count == 0 ? [query.Trim()] : alternatives;

        void Flush()
        {
            var terms = string.Join(' ', current.Where(t => t.Length > 0));
            if (terms.Length > 0)
            {
                alternatives.Add(terms);
            }

            current.Clear();
        }
    }

    private static HashSet<string>? Roles(string? filter) =>
        string.IsNullOrWhiteSpace(filter)
            ? null
            : filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => r.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
