using System.IO.Pipelines;
using Hermes.Identity;
using Hermes.Identity.Mcp.Callers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpServerSample;

/// <summary>
/// An MCP server shared by two callers, in one process and offline: Mei, a helper, and Eve, whom identities.yaml does not
/// know. Each caller has a connection of their own (two pipes carrying the stdio wire format), opened by the host, which
/// knows who is at the other end and says so with a CallerTransport.
/// </summary>
public static class McpSample
{
    public const string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          louis:
            role: owner
            accounts: { local: "louis" }
          mei:
            role: helper
            accounts: { local: "mei" }
        roles:
          helper:
            allow: [tool.memory, memory.read, memory.write]
        tools:
          notes.remember: memory
          notes.recall: memory
          notes.shell: exec
        """;

    /// <summary>Plays the story, writing what happens to <paramref name="output"/>; 0 when everything went as it should.</summary>
    public static async Task<int> RunAsync(TextWriter output, string root)
    {
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "identities.yaml"), Yaml);

        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root);
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "notes", Version = "1.0.0" })
            .WithTools([typeof(NotesTools)])
            .UseHermesIsolation(o => o.ServerName = "notes"); // tools are decided as notes.remember, notes.recall, notes.shell
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        await using var mei = await Connection.OpenAsync(options, provider, new SenderEnvelope("local", "mei", displayName: "Mei"));
        await using var eve = await Connection.OpenAsync(options, provider, new SenderEnvelope("local", "eve", displayName: "Louis (owner)"));

        var ok = true;
        var meiTools = await mei.ToolNamesAsync();
        output.WriteLine($"mei sees: {string.Join(", ", meiTools)}");
        ok &= meiTools.SequenceEqual(["recall", "remember"]);

        output.WriteLine($"mei remember: {await mei.CallAsync("remember", new() { ["note"] = "Mei takes her tea without sugar" })}");
        var recalled = await mei.CallAsync("recall", []);
        output.WriteLine($"mei recall: {recalled.ReplaceLineEndings(" | ")}");
        ok &= recalled.Contains("without sugar", StringComparison.Ordinal);

        var shell = await mei.CallAsync("shell", new() { ["command"] = "cat /etc/shadow" });
        output.WriteLine($"mei shell: {shell}");
        ok &= shell.StartsWith("Refused:", StringComparison.Ordinal);

        var eveTools = await eve.ToolNamesAsync();
        output.WriteLine($"eve sees: {(eveTools.Count == 0 ? "(no tools)" : string.Join(", ", eveTools))}");
        ok &= eveTools.Count == 0;

        var eveRecall = await eve.CallAsync("recall", []);
        output.WriteLine($"eve recall: {eveRecall}");
        ok &= eveRecall.StartsWith("Refused:", StringComparison.Ordinal) && !eveRecall.Contains("sugar", StringComparison.Ordinal);

        output.WriteLine(ok ? "every caller got exactly their own rights: yes" : "SOMETHING WENT WRONG");
        return ok ? 0 : 1;
    }

    // One caller's connection: the server's end wrapped in a CallerTransport naming who the host knows is there.
    private sealed class Connection(McpServer server, Task running, McpClient client) : IAsyncDisposable
    {
        public static async Task<Connection> OpenAsync(McpServerOptions options, IServiceProvider services, SenderEnvelope caller)
        {
            var toServer = new Pipe();
            var toClient = new Pipe();
            var transport = new CallerTransport(new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream()), caller);
            var server = McpServer.Create(transport, options, null, services);
            var running = server.RunAsync();
            var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()));
            return new Connection(server, running, client);
        }

        public async Task<List<string>> ToolNamesAsync() =>
            (await client.ListToolsAsync()).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();

        public async Task<string> CallAsync(string tool, Dictionary<string, object?> arguments)
        {
            var result = await client.CallToolAsync(tool, arguments);
            return string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        }

        public async ValueTask DisposeAsync()
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
            await running;
        }
    }
}
