using System.ComponentModel;
using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Server;

namespace McpServerSample;

/// <summary>
/// The MCP server's tools. They know nothing of identities: each one takes the services it was invoked with, which
/// UseHermesIsolation makes the caller's own turn scope, so "my memory" is always the caller's.
/// </summary>
[McpServerToolType]
public static class NotesTools
{
    [McpServerTool(Name = "remember"), Description("Adds a note to the caller's memory.")]
    public static async Task<string> RememberAsync(IServiceProvider services, [Description("The note.")] string note, CancellationToken cancellationToken)
    {
        var memory = services.GetRequiredService<IMemoryStore>();
        var result = await memory.AddAsync(MemoryFile.Notes, note, cancellationToken);
        return $"remembered ({result.Entries.Count} note(s))";
    }

    [McpServerTool(Name = "recall"), Description("Reads the caller's memory.")]
    public static async Task<string> RecallAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var memory = services.GetRequiredService<IMemoryStore>();
        return (await memory.ReadAsync(cancellationToken)).Render();
    }

    [McpServerTool(Name = "shell"), Description("Runs a shell command on the server.")]
    public static string Shell([Description("The command.")] string command) => $"ran: {command}";
}
