using Hermes.Identity.Memory;
using Hermes.Identity.Sample.Temporary;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sample;

/// <summary>
/// The bot's tools. None takes a "user" argument: each resolves the sender's own stores from the
/// <see cref="IServiceProvider"/> the adapter passes in (the turn's scope).
/// </summary>
public static class SampleTools
{
    /// <summary>Creates the tools. <paramref name="terminal"/> records what the (simulated) terminal ran.</summary>
    public static IList<AITool> Create(TerminalLog terminal) =>
    [
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
            (string path, IServiceProvider services) => services.GetRequiredService<WorkspaceFiles>().Read(path),
            "read_file",
            "Reads a file from your workspace."),
        AIFunctionFactory.Create(
            (string path, string content, IServiceProvider services) => services.GetRequiredService<WorkspaceFiles>().Write(path, content),
            "write_file",
            "Writes a file in your workspace."),
        AIFunctionFactory.Create(
            async (string action, string? content, IServiceProvider services, CancellationToken ct) =>
            {
                // TEMP: switch to the real IMemoryStore's write method when the memory branch lands.
                var memory = services.GetRequiredService<FileMemoryStore>();
                if (action == "append" && content is not null)
                {
                    var decision = await memory.AppendAsync(content, ct);
                    return decision.IsAllowed ? $"Saved to the memory of profile '{services.GetRequiredService<TurnContext>().Profile.Key}'." : "Refused: " + decision.Reason;
                }

                return (await services.GetRequiredService<IMemoryStore>().ReadAsync(ct)).Render();
            },
            "memory",
            "Reads or appends to the long-term memory (action: read | append)."),
        AIFunctionFactory.Create(
            (string query, IServiceProvider services) =>
            {
                // TEMP: switch to the SQLite store's search when the sessions branch lands.
                var hits = ((InMemorySessionStore)services.GetRequiredService<ISessionStore>()).Search(query);
                return hits.Count == 0 ? $"No message mentions '{query}' in your sessions." : string.Join("\n", hits.Select(h => $"{h.Role}: {h.Content}"));
            },
            "session_search",
            "Searches past conversations."),
    ];

    /// <summary>What the simulated terminal ran, and for whom.</summary>
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
