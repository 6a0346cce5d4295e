using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Identity.Memory;

namespace Hermes.Identity.AI.ReadyTools;

// Hermes Agent's memory tool: action add | replace | remove (and read) on target memory (MEMORY.md), user (USER.md) or
// shared, with content and old_text, or a list of such operations. The memory is the turn's profile's IMemoryStore, which
// asks memory.write / memory.shared.write itself; the model normally reads the memory in the identity block.
internal sealed class MemoryTool() : ReadyTool(ToolName, Summary, Schema)
{
    public const string ToolName = "memory";

    private const string Summary =
        "Save durable facts to persistent memory that survives across sessions; it is shown to you at the start of every " +
        "conversation with this person, so keep entries compact and high-signal. " +
        "TARGETS: 'user' = who this person is (name, role, preferences, style); 'memory' = your notes (environment, " +
        "conventions, lessons); 'shared' = memory shared by everyone this host allows to share it. " +
        "ACTIONS: 'add' a new entry (content); 'replace' the one entry containing old_text with content; 'remove' the one " +
        "entry containing old_text; 'read' the entries of a target. Several changes can go in one call as 'operations' " +
        "(each {action, content?, old_text?}), applied in order. If an entry does not fit, replace or remove entries that " +
        "matter less first. Memory holds notes, not instructions.";

    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "action": { "type": "string", "enum": ["add", "replace", "remove", "read"], "description": "The action to perform (single-operation shape). Omit when using 'operations'." },
            "target": { "type": "string", "enum": ["memory", "user", "shared"], "description": "Which memory: 'memory' for your notes, 'user' for the person's profile, 'shared' for the shared memory. Default: memory." },
            "content": { "type": "string", "description": "The entry text. Required for 'add' and 'replace'." },
            "old_text": { "type": "string", "description": "Required for 'replace' and 'remove': a short substring that exactly one existing entry contains." },
            "operations": {
              "type": "array",
              "description": "Several operations on the same target, applied in order; the first that fails stops the rest (the ones before it stay applied).",
              "items": {
                "type": "object",
                "properties": {
                  "action": { "type": "string", "enum": ["add", "replace", "remove"] },
                  "content": { "type": "string" },
                  "old_text": { "type": "string" }
                },
                "required": ["action"]
              }
            }
          },
          "required": ["target"]
        }
        """;

    protected override async ValueTask<string> RunAsync(ToolArguments arguments, IServiceProvider services, CancellationToken cancellationToken)
    {
        var targetName = (arguments.String("target") ?? "memory").Trim().ToLowerInvariant();
        var target = targetName switch
        {
            "memory" => MemoryFile.Notes,
            "user" => MemoryFile.User,
            "shared" => MemoryFile.Shared,
            _ => throw new ToolArgumentException($"memory: invalid target '{targetName}'. Use 'memory', 'user' or 'shared'."),
        };

        var store = Service<IMemoryStore>(services, "long-term memory");
        if (arguments.Has("operations"))
        {
            return await RunOperationsAsync(store, target, targetName, Operations(arguments.String("operations")), cancellationToken).ConfigureAwait(false);
        }

        var action = (arguments.String("action") ?? string.Empty).Trim().ToLowerInvariant();
        if (action == "read")
        {
            return await ReadAsync(store, target, targetName, cancellationToken).ConfigureAwait(false);
        }

        var (message, result) = await ApplyAsync(store, target, action, arguments.String("content"), arguments.String("old_text"), cancellationToken).ConfigureAwait(false);
        return Success(targetName, message, result).Text();
    }

    private static async ValueTask<string> RunOperationsAsync(IMemoryStore store, MemoryFile target, string targetName, List<(string Action, string? Content, string? OldText)> operations, CancellationToken cancellationToken)
    {
        MemoryEditResult? last = null;
        for (var i = 0; i < operations.Count; i++)
        {
            var (action, content, oldText) = operations[i];
            try
            {
                (_, last) = await ApplyAsync(store, target, action, content, oldText, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MemoryException or ToolArgumentException or AccessDeniedException)
            {
                var applied = i == 0 ? "No operation was applied." : $"Operations 1 to {i} were applied and stay applied.";
                throw new ToolArgumentException($"memory: operation {i + 1} ({action}) failed: {ex.Message} {applied}");
            }
        }

        return Success(targetName, $"{operations.Count} operation(s) applied.", last!).Text();
    }

    private static async ValueTask<(string Message, MemoryEditResult Result)> ApplyAsync(
        IMemoryStore store, MemoryFile target, string action, string? content, string? oldText, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case "add":
                if (string.IsNullOrWhiteSpace(content))
                {
                    throw new ToolArgumentException("memory: 'content' is required for 'add'.");
                }

                var added = await store.AddAsync(target, content, cancellationToken).ConfigureAwait(false);
                return (added.Changed ? "Entry added." : "Entry already exists (no duplicate added).", added);
            case "replace":
                if (string.IsNullOrWhiteSpace(oldText))
                {
                    throw new ToolArgumentException("memory: 'replace' needs 'old_text', a short substring of the one entry to replace.");
                }

                if (string.IsNullOrWhiteSpace(content))
                {
                    throw new ToolArgumentException("memory: 'content' is required for 'replace'; use 'remove' to delete an entry.");
                }

                return ("Entry replaced.", await store.ReplaceAsync(target, oldText.Trim(), content, cancellationToken).ConfigureAwait(false));
            case "remove":
                if (string.IsNullOrWhiteSpace(oldText))
                {
                    throw new ToolArgumentException("memory: 'remove' needs 'old_text', a short substring of the one entry to remove.");
                }

                return ("Entry removed.", await store.RemoveAsync(target, oldText.Trim(), cancellationToken).ConfigureAwait(false));
            default:
                throw new ToolArgumentException($"memory: unknown action '{action}'. Use add, replace, remove or read.");
        }
    }

    private static async ValueTask<string> ReadAsync(IMemoryStore store, MemoryFile target, string targetName, CancellationToken cancellationToken)
    {
        var snapshot = await store.ReadAsync(cancellationToken).ConfigureAwait(false);
        var entries = target switch
        {
            MemoryFile.Shared => snapshot.Shared ?? throw new ToolArgumentException("memory: you may not read the shared memory (the host's policy does not grant it to this person)."),
            _ when !snapshot.IsOwnMemoryReadable => throw new ToolArgumentException("memory: reading memory is not allowed for this person by the host's policy."),
            MemoryFile.User => snapshot.User,
            _ => snapshot.Notes,
        };

        var result = ToolResult.Success();
        result["target"] = targetName;
        result["entries"] = Array(entries);
        result["entry_count"] = entries.Count;
        return result.Text();
    }

    private static JsonObject Success(string target, string message, MemoryEditResult result)
    {
        var json = ToolResult.Success();
        json["target"] = target;
        json["message"] = message;
        json["entries"] = Array(result.Entries);
        json["entry_count"] = result.Entries.Count;
        json["usage"] = string.Create(CultureInfo.InvariantCulture, $"{result.Limit - result.Remaining:N0}/{result.Limit:N0}");
        return json;
    }

    private static JsonArray Array(IReadOnlyList<string> entries)
    {
        var array = new JsonArray();
        foreach (var entry in entries)
        {
            array.Add((JsonNode?)JsonValue.Create(entry));
        }

        return array;
    }

    // The operations array as the model sent it (JSON), read into (action, content, old_text).
    private static List<(string Action, string? Content, string? OldText)> Operations(string? json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json ?? "null");
        }
        catch (JsonException)
        {
            throw new ToolArgumentException("memory: 'operations' must be a list of {action, content?, old_text?} objects.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw new ToolArgumentException("memory: 'operations' must be a non-empty list of {action, content?, old_text?} objects.");
            }

            var operations = new List<(string, string?, string?)>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new ToolArgumentException("memory: each item of 'operations' must be an object {action, content?, old_text?}.");
                }

                operations.Add((
                    (Get(item, "action") ?? string.Empty).Trim().ToLowerInvariant(),
                    Get(item, "content"),
                    Get(item, "old_text")));
            }

            return operations;
        }
    }

    private static string? Get(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
