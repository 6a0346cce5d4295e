using Hermes.Identity.Memory;
using Hermes.Identity.Sessions;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sample;

/// <summary>
/// The bot's tools. None takes a "user" argument: each resolves the sender's own stores from the
/// <see cref="IServiceProvider"/> the adapter passes in (the turn's scope).
/// </summary>
public static class SampleTools
{
    /// <summary>Creates the tools. <paramref name="terminal"/> records what the (simulated) terminal ran, <paramref name="outbox"/> what the email tool sent.</summary>
    public static IList<AITool> Create(TerminalLog terminal, TerminalLog? outbox = null) =>
    [
        AIFunctionFactory.Create(
            (string to, string body, IServiceProvider services) =>
            {
                var turn = services.GetRequiredService<TurnContext>();
                outbox?.Add(turn.Profile.Key, $"to {to}: {body}");
                return $"(simulated) sent to {to}.";
            },
            "send_email",
            "Sends an email for the sender."),
        AIFunctionFactory.Create(
            (string command, IServiceProvider services) =>
            {
                var turn = services.GetRequiredService<TurnContext>();
                terminal.Add(turn.Profile.Key, command);
                return $"$ {command}\n(simulated) ran on the owner's machine.";
            },
            "terminal",
            "Runs a shell command on the host machine."),
        AIFunctionFactory.Create(
            async (string path, IServiceProvider services, CancellationToken ct) =>
            {
                try
                {
                    return await services.GetRequiredService<IWorkspace>().ReadAllTextAsync(path, ct);
                }
                catch (WorkspaceAccessException ex)
                {
                    return "Refused: " + ex.Message; // written to be shown to the user and the model
                }
            },
            "read_file",
            "Reads a file from your workspace."),
        AIFunctionFactory.Create(
            async (string path, string content, IServiceProvider services, CancellationToken ct) =>
            {
                try
                {
                    await services.GetRequiredService<IWorkspace>().WriteAllTextAsync(path, content, overwrite: true, ct);
                    return $"Wrote {path}.";
                }
                catch (WorkspaceAccessException ex)
                {
                    return "Refused: " + ex.Message;
                }
                catch (AccessDeniedException ex)
                {
                    return "Refused: " + ex.Decision.Reason;
                }
            },
            "write_file",
            "Writes a file in your workspace."),
        AIFunctionFactory.Create(
            (IServiceProvider services, CancellationToken ct, string action, string? content = null, string? old = null, string? file = null) =>
                MemoryAsync(services.GetRequiredService<IMemoryStore>(), services.GetRequiredService<TurnContext>().Profile.Key, action, content, old, file, ct),
            "memory",
            "Reads or edits your long-term memory. action: read | add | replace | remove; file: notes (MEMORY.md, default) | user (USER.md); " +
            "content: the entry to add, or the new text for replace; old: text that only the entry to replace or remove contains."),
        AIFunctionFactory.Create(
            async (string query, IServiceProvider services, CancellationToken ct) =>
            {
                // The store is the sender's own: its search cannot reach anyone else's messages.
                var hits = await services.GetRequiredService<ISessionStore>().SearchAsync(query, 5, ct);
                return hits.Count == 0
                    ? $"No message mentions '{query}' in your sessions."
                    : string.Join("\n", hits.Select(h => $"{h.Role ?? "title"}: {h.Snippet}"));
            },
            "session_search",
            "Searches your past conversations."),
    ];

    // Every MemoryException says what to do next, so its message is the tool's answer; a refusal says so first.
    private static async Task<string> MemoryAsync(IMemoryStore memory, string profile, string action, string? content, string? old, string? file, CancellationToken ct)
    {
        var target = file?.ToUpperInvariant() switch
        {
            "USER" or "USER.MD" => MemoryFile.User,
            "SHARED" => MemoryFile.Shared,
            _ => MemoryFile.Notes,
        };
        try
        {
            var result = action switch
            {
                "add" when content is not null => await memory.AddAsync(target, content, ct),
                "replace" when old is not null && content is not null => await memory.ReplaceAsync(target, old, content, ct),
                "remove" when old is not null => await memory.RemoveAsync(target, old, ct),
                "read" => null,
                _ => null,
            };
            if (result is null && action != "read")
            {
                return $"Unknown memory action '{action}' or missing argument: use read, add (content), replace (old, content) or remove (old).";
            }

            return result is null ? (await memory.ReadAsync(ct)).Render() : $"Saved to the memory of profile '{profile}'. {result}";
        }
        catch (AccessDeniedException ex)
        {
            return "Refused: " + ex.Message;
        }
        catch (MemoryLimitExceededException ex)
        {
            return "Not saved, the memory is full: " + ex.Message;
        }
        catch (MemoryEntryMatchException ex)
        {
            return "Not changed: " + ex.Message;
        }
        catch (MemoryException ex)
        {
            return "Memory error: " + ex.Message;
        }
    }

    /// <summary>What the simulated terminal ran (or the outbox sent), and for whom.</summary>
    public sealed class TerminalLog
    {
        private readonly List<(string Profile, string Command)> _entries = [];

        /// <summary>The commands run.</summary>
        public IReadOnlyList<(string Profile, string Command)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        /// <summary>Records a command.</summary>
        public void Add(string profile, string command)
        {
            lock (_entries)
            {
                _entries.Add((profile, command));
            }
        }
    }
}
