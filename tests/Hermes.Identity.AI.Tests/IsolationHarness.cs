using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Hermes.Identity.Sample;
using Hermes.Identity.Sample.Temporary;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Tests;

// A real pipeline: ChatClientBuilder + the gullible scripted model + UseHermesIsolation + UseFunctionInvocation,
// over a real PolicyEngine, real identities.yaml and real files in a temp folder. The backend records every request.
internal sealed class IsolationHarness : IAsyncDisposable
{
    // The sample's people and tools, plus Ana, whose role may use the terminal once an approver approves the call.
    public static readonly string Yaml = SampleStory.IdentitiesYaml.Replace("tools:", """
          ana:
            display_name: Ana
            role: family
            accounts:
              telegram: "4440001"
        roles:
          family:
            inherits: trusted
            allow: [tool.exec]
            require_approval: [tool.exec]
        tools:
        """, StringComparison.Ordinal);

    private readonly ServiceProvider _services;

    private IsolationHarness(string root, ServiceProvider services, SampleTools.TerminalLog terminal, RecordingBackend backend)
    {
        Root = root;
        _services = services;
        Terminal = terminal;
        Backend = backend;
        Chat = services.GetRequiredService<IChatClient>();
        Tools = SampleTools.Create(terminal);
    }

    public string Root { get; }

    public IChatClient Chat { get; }

    public IList<AITool> Tools { get; }

    public SampleTools.TerminalLog Terminal { get; }

    public RecordingBackend Backend { get; }

    public IServiceProvider Services => _services;

    public static IsolationHarness Create(Action<FunctionInvokingChatClient>? configureLoop = null, bool sessions = false, bool memory = true, IChatClient? model = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "hermes-ai-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "identities.yaml"), Yaml);
        Seed(Path.Combine(root, "memories", "louis", "MEMORY.md"), "- canary: 7f3a-louis-only\n");
        Seed(Path.Combine(root, "memories", "louis", "USER.md"), "Louis owns this bot.\n");
        Seed(Path.Combine(root, "workspaces", "louis", "notes", "plan.md"), "secret plan 7f3a\n");

        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root);
        services.AddSingleton<RolePatternBackend>();
        services.AddSingleton(sp => new RecordingBackend(sp.GetRequiredService<RolePatternBackend>()));
        services.AddSingleton<IPolicyBackend>(sp => sp.GetRequiredService<RecordingBackend>());
        services.AddScoped<FileMemoryStore>();
        if (memory)
        {
            services.AddScoped<IMemoryStore>(sp => sp.GetRequiredService<FileMemoryStore>());
        }

        if (sessions)
        {
            services.AddSingleton<InMemorySessionStore.Shelf>();
            services.AddScoped<ISessionStore, InMemorySessionStore>();
        }

        services.AddScoped<WorkspaceFiles>();
        var terminal = new SampleTools.TerminalLog();
        var builder = services.AddChatClient(model ?? new GullibleChatClient());
        if (sessions)
        {
            builder.UseHermesSessionHistory();
        }

        builder.UseHermesIsolation().UseFunctionInvocation(configure: configureLoop);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new IsolationHarness(root, provider, terminal, provider.GetRequiredService<RecordingBackend>());
    }

    public static SenderEnvelope Louis(ChatKind kind = ChatKind.Direct, string? displayName = "Louis") =>
        new("telegram", "732113076", kind == ChatKind.Direct ? "732113076" : "-100", kind, displayName);

    public static SenderEnvelope Mei(ChatKind kind = ChatKind.Direct, string? displayName = "Louis (owner)") =>
        new("telegram", "5550001", kind == ChatKind.Direct ? "5550001" : "-100", kind, displayName);

    public static SenderEnvelope Ana() => new("telegram", "4440001", "4440001", ChatKind.Direct, "Ana");

    public async Task<Exchange> SendAsync(SenderEnvelope sender, string text, ChatOptions? options = null, IEnumerable<ChatMessage>? history = null)
    {
        var resolution = await Services.GetRequiredService<IIdentityResolver>().ResolveAsync(sender);
        await using var turn = Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        return await SendInTurnAsync(turn, text, options, history);
    }

    public async Task<Exchange> SendInTurnAsync(TurnScope turn, string text, ChatOptions? options = null, IEnumerable<ChatMessage>? history = null)
    {
        var seen = GullibleChatClient.Observe();
        List<ChatMessage> messages = [.. history ?? [], new ChatMessage(ChatRole.User, text)];
        var response = await Chat.GetResponseAsync(messages, options ?? new ChatOptions { Tools = Tools });
        return new Exchange(turn.Context, response, seen);
    }

    public async ValueTask<T> InTurnAsync<T>(SenderEnvelope sender, Func<TurnScope, ValueTask<T>> work)
    {
        var resolution = await Services.GetRequiredService<IIdentityResolver>().ResolveAsync(sender);
        await using var turn = Services.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
        return await work(turn);
    }

    public string ReadData(params string[] parts) => File.ReadAllText(Path.Combine([Root, .. parts]));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Seed(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    internal sealed record Exchange(TurnContext Turn, ChatResponse Response, GullibleChatClient.Observation Seen)
    {
        public IEnumerable<FunctionResultContent> Results => Response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>();

        public string ResultText => string.Join("\n", Results.Select(r => $"{r.Result}"));

        public IEnumerable<ToolApprovalRequestContent> ApprovalRequests => Response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>();
    }

    internal sealed class RecordingBackend(IPolicyBackend inner) : IPolicyBackend
    {
        private readonly List<(PolicyRequest Request, PolicyDecision Decision)> _log = [];

        public IReadOnlyList<(PolicyRequest Request, PolicyDecision Decision)> Log
        {
            get
            {
                lock (_log)
                {
                    return [.. _log];
                }
            }
        }

        // Tool calls actually judged at invocation (the tool list evaluation carries no call id).
        public IReadOnlyList<(PolicyRequest Request, PolicyDecision Decision)> Calls =>
            [.. Log.Where(e => e.Request.ToolCallId is not null)];

        public async ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
        {
            var decision = await inner.EvaluateAsync(request, cancellationToken);
            lock (_log)
            {
                _log.Add((request, decision));
            }

            return decision;
        }
    }
}
