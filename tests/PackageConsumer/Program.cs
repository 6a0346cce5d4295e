using Hermes.Identity;
using Hermes.Identity.AI;
using Hermes.Identity.AI.Sessions;
using Hermes.Identity.AgentFramework.Sessions;
using Hermes.Identity.Pairing;
using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;

// The README quick start, as an existing bot would write it against the published packages.
var root = Path.Combine(Path.GetTempPath(), "hermes-consumer-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
File.WriteAllText(Path.Combine(root, "identities.yaml"), """
    version: 1
    unknown_senders: pair
    identities:
      louis: { role: owner, accounts: { telegram: "111" } }
    """);

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHermesIsolation(o => o.Root = root)
    .AddSqliteSessions()
    .AddSqliteState()
    .AddPolicyBackend<OfficeHoursBackend>();
builder.Services.AddMcpServer().UseHermesIsolation(o => o.MapEveryCallerTo(new SenderEnvelope("telegram", "111"))); // the MCP adapter
using var app = builder.Build();
await app.StartAsync();

var resolver = app.Services.GetRequiredService<IIdentityResolver>();
var turns = app.Services.GetRequiredService<ITurnScopeFactory>();
var current = app.Services.GetRequiredService<ICurrentProfile>();

var louis = await resolver.ResolveAsync(new SenderEnvelope("telegram", "111", displayName: "Louis"));
var policy = app.Services.GetRequiredService<PolicyEngine>();
await using (turns.BeginTurn(louis))
{
    Console.WriteLine($"telegram:111 -> {current.Profile.Key} ({current.Profile.Role})");
    var decision = await policy.AuthorizeToolCallAsync("terminal");
    Console.WriteLine($"terminal for louis: {decision.Effect} ({decision.Reason})");

    // The existing bot's chat client, wrapped: tools filtered and gated, identity in the instructions, history kept.
    using var chat = new ChatClientBuilder(new EchoChatClient())
        .UseHermesSessionHistory()
        .UseHermesIsolation()
        .UseFunctionInvocation()
        .Build(app.Services);
    var reply = await chat.GetResponseAsync("hello", new ChatOptions { Tools = [.. HermesTools.All()] });
    Console.WriteLine($"model said: {reply.Text}");

    // The same model as an Agent Framework agent: gated, its history in louis's own session store.
    var agent = new ChatClientAgent(new EchoChatClient(), new ChatClientAgentOptions
    {
        Id = "consumer",
        DisableApprovalResponseBinding = true,
        ChatHistoryProvider = new HermesChatHistoryProvider(current),
    }).AsBuilder().UseHermesIsolation().Build(app.Services);
    Console.WriteLine($"agent said: {(await agent.RunAsync("hello")).Text}");

    // Louis's AgentSession kept between messages, keyed by his profile.
#pragma warning disable MAAI001 // AgentSessionStore is experimental in Microsoft.Agents.AI 1.28
    AgentSessionStore agentSessions = new HermesAgentSessionStore(app.Services);
    var agentKey = new AgentSessionStoreKey("telegram:111");
    var agentSession = await agentSessions.GetOrCreateSessionAsync(agent, agentKey);
    await agent.RunAsync("hello again", agentSession);
    await agentSessions.SaveSessionAsync(agent, agentKey, agentSession);
    Console.WriteLine($"agent session kept: {await agentSessions.GetSessionAsync(agent, agentKey) is not null}");
#pragma warning restore MAAI001

    // The one encoding of a conversation in a session store, for a host that keeps history itself.
    Console.WriteLine($"kept as {SessionChatMessages.ToSessionMessages([new ChatMessage(ChatRole.User, "hi")], DateTimeOffset.UtcNow).Count} session message(s)");
}

// The easy way: RunTurnAsync resolves and runs the body inside the turn, wherever it is called from.
ISessionStore? kept = null;
await HandleMessageAsync(new SenderEnvelope("telegram", "111", displayName: "Louis"));
async Task HandleMessageAsync(SenderEnvelope sender) =>
    await turns.RunTurnAsync(sender, async turn =>
    {
        var sessions = kept = turn.Services.GetRequiredService<ISessionStore>();
        var session = await sessions.OpenCurrentSessionAsync();
        Console.WriteLine($"louis's session holds {(await sessions.GetMessagesAsync(session.Id)).Count} message(s)");
    });

// A store kept past its turn refuses, with the one error every profile-bound service gives.
var refused = false;
try
{
    await kept!.ListSessionsAsync();
}
catch (NoActiveTurnException)
{
    refused = true;
}

Console.WriteLine($"session store after its turn refused: {refused}");

var stranger = await turns.RunTurnAsync(new SenderEnvelope("telegram", "222", displayName: "Louis (owner)"), _ => throw new InvalidOperationException("never runs"));
Console.WriteLine($"telegram:222 admitted: {stranger.IsAdmitted} ({stranger.RejectionReason})");

// Between messages: the owner lets the stranger in with the code he was given, in a turn of his own.
var code = stranger.PairingRequest?.Code ?? throw new InvalidOperationException("unknown_senders: pair gave no code");
await turns.RunTurnAsync(new SenderEnvelope("telegram", "111"), async _ =>
{
    var paired = await app.Services.GetRequiredService<Pairings>().ApproveAsync("telegram", code, "guest", "alex");
    Console.WriteLine($"paired: {paired}");
});
var alex = await turns.RunTurnAsync(new SenderEnvelope("telegram", "222"), turn =>
{
    Console.WriteLine($"telegram:222 -> {turn.Profile.Key} ({turn.Profile.Role})");
    return Task.CompletedTask;
});
// Scale out: the PostgreSQL stores register without connecting (the schema is migrated by the first call).
var scaledOut = new ServiceCollection();
scaledOut.AddHermesIsolation(o => o.Root = root)
    .AddPostgreSql(o => o.ConnectionString = "Host=db.internal;Database=hermes;Username=hermes")
    .AddPostgreSqlDirectory()
    .AddPostgreSqlAudit();
await using (var scaledProvider = scaledOut.BuildServiceProvider())
{
    Console.WriteLine($"PostgreSQL state store registered: {scaledProvider.GetRequiredService<Hermes.Identity.State.IIdentityStateStore>().GetType().Name}");
    Console.WriteLine($"PostgreSQL directory registered: {scaledProvider.GetRequiredService<Hermes.Identity.PostgreSql.PostgreSqlIdentityDirectory>().GetType().Name}");
    Console.WriteLine($"decision audit sinks: {scaledProvider.GetServices<Hermes.Identity.Audit.IDecisionAuditSink>().Count()}");
}
// The contracts a store author implements come from Hermes.Identity.Abstractions (docs/abstractions.md), under the
// same names: this bot, written against Hermes.Identity, compiles unchanged.
var abstractions = typeof(Hermes.Identity.Memory.IMemoryDocumentStore).Assembly.GetName().Name;
Console.WriteLine($"IMemoryDocumentStore, ISessionStore and PolicyDecision from: {abstractions}, {typeof(ISessionStore).Assembly.GetName().Name}, {typeof(PolicyDecision).Assembly.GetName().Name}");
// Semantic Kernel: a kernel whose every function call goes through the same policy (docs/semantic-kernel.md).
var kernelServices = new ServiceCollection();
kernelServices.AddKernel().UseHermesIsolation(app.Services);
Console.WriteLine($"kernel filters: {kernelServices.BuildServiceProvider().GetRequiredService<Microsoft.SemanticKernel.Kernel>().FunctionInvocationFilters.Count}");

await app.StopAsync();
app.Dispose(); // closes the pooled session databases before the folder goes
Directory.Delete(root, recursive: true);
return current.IsInTurn || stranger.IsAdmitted || !alex.IsAdmitted || !refused || abstractions != "Hermes.Identity.Abstractions" ? 1 : 0;

// A custom backend, as the README shows: every backend must allow, so it can only narrow the built-in roles.
public sealed class OfficeHoursBackend(TimeProvider time) : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        var hour = time.GetLocalNow().Hour;
        return ValueTask.FromResult(request.Subject.Role != "guest" || hour is >= 9 and < 18
            ? PolicyDecision.Allow("Within office hours.", request.Revision)
            : PolicyDecision.Deny("Guests are served from 9 to 18.", request.Revision));
    }
}

// Stands in for the bot's real model client.
public sealed class EchoChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "echo: " + messages.Last().Text)));

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
