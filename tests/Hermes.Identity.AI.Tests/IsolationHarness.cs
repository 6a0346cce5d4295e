using System.Text.Json;
using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Hermes.Identity.Sample;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Identity.AI.Tests;

// A real pipeline: ChatClientBuilder + the gullible scripted model + UseHermesIsolation + UseFunctionInvocation,
// over the real PolicyEngine with its built-in roles, real identities.yaml, the real memory, workspace and SQLite
// session stores in a temp folder. Decisions are read back from the engine's own audit file.
internal sealed class IsolationHarness : IAsyncDisposable
{
    // The sample's people and tools, plus Ana and Bo, whose role may use the terminal once an approver approves the call.
    public static readonly string Yaml = """
        version: 1
        unknown_senders: guest
        identities:
          louis:
            display_name: Louis
            role: owner
            accounts:
              telegram: "732113076"
          mei:
            display_name: Mei
            role: trusted
            accounts:
              telegram: "5550001"
          ana:
            display_name: Ana
            role: family
            accounts:
              telegram: "4440001"
          bo:
            display_name: Bo
            role: family
            accounts:
              telegram: "4440002"
        roles:
          family:
            inherits: trusted
            allow: [tool.exec]
            require_approval: [tool.exec]
        tools:
          terminal: exec
          read_file: files.read
          write_file: files.write
          memory: memory
          session_search: sessions
        """;

    private readonly HermesHost _host;

    private IsolationHarness(HermesHost host, SampleTools.TerminalLog terminal)
    {
        _host = host;
        Terminal = terminal;
        Backend = new AuditLog(Path.Combine(host.Root, "audit", "decisions.jsonl"));
        Chat = host.Services.GetRequiredService<IChatClient>();
        Tools = SampleTools.Create(terminal);
    }

    public string Root => _host.Root;

    public IChatClient Chat { get; }

    public IList<AITool> Tools { get; }

    public SampleTools.TerminalLog Terminal { get; }

    public AuditLog Backend { get; }

    public IServiceProvider Services => _host.Services;

    public static IsolationHarness Create(Action<FunctionInvokingChatClient>? configureLoop = null, bool sessions = false, bool memory = true, IChatClient? model = null, TimeProvider? time = null, TempDirectory? folder = null, SampleTools.TerminalLog? terminal = null)
    {
        if (folder is null)
        {
            folder = new TempDirectory("ai");
            folder.Write("memories/louis/MEMORY.md", "canary: 7f3a-louis-only\n");
            folder.Write("memories/louis/USER.md", "Louis owns this bot.\n");
            folder.Write("workspaces/louis/notes/plan.md", "secret plan 7f3a\n");
        }

        terminal ??= new SampleTools.TerminalLog();
        var host = new HermesHost(
            Yaml,
            configure: services =>
            {
                if (time is not null)
                {
                    services.AddSingleton(time);
                }

                if (!memory)
                {
                    services.RemoveAll<IMemoryStore>(); // a host that keeps no memory
                }

                var builder = services.AddChatClient(model ?? new GullibleChatClient());
                if (sessions)
                {
                    builder.UseHermesSessionHistory();
                }

                builder.UseHermesIsolation().UseFunctionInvocation(configure: configureLoop);
            },
            isolation: isolation =>
            {
                isolation.ConfigurePolicy(o => o.WriteAuditFile = true);
                isolation.AddSqliteState(); // approval requests and grants
                if (sessions)
                {
                    isolation.AddSqliteSessions();
                }
            },
            folder: folder);
        return new IsolationHarness(host, terminal);
    }

    public static SenderEnvelope Louis(ChatKind kind = ChatKind.Direct, string? displayName = "Louis") =>
        new("telegram", "732113076", kind == ChatKind.Direct ? "732113076" : "-100", kind, displayName);

    public static SenderEnvelope Mei(ChatKind kind = ChatKind.Direct, string? displayName = "Louis (owner)") =>
        new("telegram", "5550001", kind == ChatKind.Direct ? "5550001" : "-100", kind, displayName);

    public static SenderEnvelope Ana() => new("telegram", "4440001", "4440001", ChatKind.Direct, "Ana");

    public static SenderEnvelope Bo() => new("telegram", "4440002", "4440002", ChatKind.Direct, "Bo");

    public Task<Exchange> SendAsync(SenderEnvelope sender, string text, ChatOptions? options = null, IEnumerable<ChatMessage>? history = null) =>
        _host.InTurnAsync(sender, async turn => await SendInTurnAsync(turn, text, options, history));

    public async Task<Exchange> SendInTurnAsync(TurnScope turn, string text, ChatOptions? options = null, IEnumerable<ChatMessage>? history = null)
    {
        var seen = GullibleChatClient.Observe();
        List<ChatMessage> messages = [.. history ?? [], new ChatMessage(ChatRole.User, text)];
        var response = await Chat.GetResponseAsync(messages, options ?? new ChatOptions { Tools = Tools });
        return new Exchange(turn.Context, response, seen);
    }

    public async ValueTask<T> InTurnAsync<T>(SenderEnvelope sender, Func<TurnScope, ValueTask<T>> work) => await _host.InTurnAsync(sender, work);

    public string ReadData(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    /// <summary>
    /// A restart: this host's services are disposed (its folder stays), and a new host starts over the same data root,
    /// with the same terminal log. Dispose the new one only.
    /// </summary>
    public async Task<IsolationHarness> RestartAsync(bool sessions = false)
    {
        await _host.Services.DisposeAsync();
        return Create(sessions: sessions, folder: _host.Folder, terminal: Terminal);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    internal sealed record Exchange(TurnContext Turn, ChatResponse Response, GullibleChatClient.Observation Seen)
    {
        public IEnumerable<FunctionResultContent> Results => Response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

        public string ResultText => string.Join("\n", Results.Select(r => $"{r.Result}"));

        public IEnumerable<ToolApprovalRequestContent> ApprovalRequests => Response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>();
    }

    // One decision as the engine's audit file holds it.
    internal sealed record Decided(string? Profile, string? Principal, string Action, string? Resource, PolicyEffect Effect, string Reason, string? ToolCallId)
    {
        public bool IsAllowed => Effect == PolicyEffect.Allow;
    }

    internal sealed class AuditLog(string path)
    {
        // Every recorded decision (the tool list is computed too, without a call id).
        public IReadOnlyList<Decided> Log => File.Exists(path) ? [.. File.ReadLines(path).Select(Parse)] : [];

        // Tool calls actually judged at invocation.
        public IReadOnlyList<Decided> Calls => [.. Log.Where(e => e.ToolCallId is not null && e.Action.StartsWith("tool.", StringComparison.Ordinal))];

        private static Decided Parse(string line)
        {
            using var json = JsonDocument.Parse(line);
            var r = json.RootElement;
            string? S(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var effect = S("effect") switch
            {
                "allow" => PolicyEffect.Allow,
                "deny" => PolicyEffect.Deny,
                _ => PolicyEffect.RequireApproval,
            };
            return new Decided(S("profile"), S("principal"), S("action")!, S("resource"), effect, S("reason") ?? string.Empty, S("tool_call_id"));
        }
    }
}
