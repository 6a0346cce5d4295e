using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// A real host for the ready-made tools: identities.yaml with an owner (Louis), two trusted people (Mei, Ana) and a guest
// (Gina), every tool name listed under tools:, SQLite sessions, and a chat pipeline (scripted model, UseHermesIsolation,
// UseFunctionInvocation) offering HermesTools.All(). Louis's memory and workspace hold canaries.
internal sealed class ToolsHost : IAsyncDisposable
{
    public const string Canary = "CANARY-7f3a-louis-only";

    public static readonly string Yaml = """
        version: 1
        unknown_senders: deny
        identities:
          louis:
            role: owner
            accounts: { telegram: "111" }
          mei:
            role: trusted
            accounts: { telegram: "222" }
          ana:
            role: trusted
            accounts: { telegram: "444" }
          gina:
            role: guest
            accounts: { telegram: "333" }
        tools:
          memory: memory
          session_search: sessions
          read_file: files.read
          search_files: files.read
          list_files: files.read
          file_info: files.read
          write_file: files.write
          patch: files.write
          append_file: files.write
          move_file: files.write
          delete_file: files.write
        """;

    private readonly HermesHost _host;

    public ToolsHost()
    {
        var folder = new TempDirectory("tools");
        folder.Write("memories/louis/MEMORY.md", Canary + "\n");
        folder.Write("workspaces/louis/notes/plan.md", Canary + "\n");
        folder.Write("workspaces/secret.txt", Canary + "\n");
        _host = new HermesHost(
            Yaml,
            configure: services => services.AddChatClient(Model).UseHermesIsolation().UseFunctionInvocation(),
            isolation: isolation => isolation.AddSqliteSessions(),
            folder: folder);
    }

    public static SenderEnvelope Louis => Sender("111");

    public static SenderEnvelope Mei => Sender("222");

    public static SenderEnvelope Ana => Sender("444");

    public static SenderEnvelope Gina => Sender("333");

    public ScriptedToolModel Model { get; } = new();

    public string Root => _host.Root;

    public IServiceProvider Services => _host.Services;

    public string Workspace(string key, string relative = "") => Path.Combine(Root, "workspaces", key, relative);

    /// <summary>Every file under the data root outside <paramref name="key"/>'s workspace, with its content: compare before and after.</summary>
    public Dictionary<string, string> FilesOutside(string key) => Directory
        .EnumerateFiles(Root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
        .Where(f => !f.StartsWith(Workspace(key) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            && !f.Contains($"{Path.DirectorySeparatorChar}agents{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .ToDictionary(f => f, File.ReadAllText);

    /// <summary>Invokes the ready-made tool <paramref name="name"/> in a turn of <paramref name="sender"/>'s, with the turn's
    /// services as the gate passes them, and the arguments as a model sends them (JSON).</summary>
    public Task<JsonElement> CallAsync(SenderEnvelope sender, string name, string json = "{}") =>
        _host.InTurnAsync(sender, async turn => await InvokeAsync(name, json, turn.Services));

    /// <summary>Begins a turn on the caller's flow (synchronous: the current turn is an AsyncLocal).</summary>
    public TurnScope Begin(SenderEnvelope sender) => _host.Begin(sender);

    public Task<T> InTurnAsync<T>(SenderEnvelope sender, Func<TurnScope, ValueTask<T>> work) => _host.InTurnAsync(sender, work);

    /// <summary>Invokes a tool with <paramref name="services"/> as its services (null: none), outside any turn unless the caller is in one.</summary>
    public static async Task<JsonElement> InvokeAsync(string name, string json, IServiceProvider? services)
    {
        var tool = (AIFunction)HermesTools.All().Single(t => t.Name == name);
        var arguments = new AIFunctionArguments(JsonSerializer.Deserialize<Dictionary<string, object?>>(json)) { Services = services };
        var result = await tool.InvokeAsync(arguments);
        return Parse(result);
    }

    /// <summary>Sends a user message through the chat pipeline in a turn of <paramref name="sender"/>'s; the model asks for
    /// <paramref name="calls"/>. Returns each call's result, in order.</summary>
    public Task<List<JsonElement>> SendAsync(SenderEnvelope sender, params (string Name, string Json)[] calls) =>
        _host.InTurnAsync(sender, async _ =>
        {
            Model.Next(calls);
            var response = await Services.GetRequiredService<IChatClient>().GetResponseAsync(
                [new ChatMessage(ChatRole.User, "go")], new ChatOptions { Tools = [.. HermesTools.All()] });
            return response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => Parse(r.Result)).ToList();
        });

    public static JsonElement Parse(object? result)
    {
        var text = result switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
            JsonElement e => e.GetRawText(),
            _ => throw new InvalidOperationException($"unexpected result {result?.GetType().Name ?? "null"}"),
        };
        if (!text.StartsWith('{'))
        {
            // The gate's refusal text: not a tool result, the tool did not run.
            return JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["success"] = false, ["error"] = text, ["gate"] = true });
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static SenderEnvelope Sender(string id) => new("telegram", id, id, ChatKind.Direct, null);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
