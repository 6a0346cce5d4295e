using AgentFrameworkSample;
using Hermes.Identity;
using Hermes.Identity.AgentFramework.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

// Two people talk to one Agent Framework agent. Each has their own conversation (kept in their own SQLite session
// store) and their own tools: Louis, the owner, may use the terminal; Mei may not, and when the model calls it for
// her anyway the call is refused, and the agent's function middleware sees that refusal. Offline: the model is scripted.
var root = Path.Combine(Path.GetTempPath(), "hermes-af-sample-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
File.WriteAllText(Path.Combine(root, "identities.yaml"), """
    version: 1
    unknown_senders: deny
    identities:
      louis: { role: owner, accounts: { telegram: "111" } }
      mei: { role: helper, accounts: { telegram: "222" } }
    roles:
      helper:
        allow: [tool.memory]
    tools:
      terminal: exec
    """);

var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).AddSqliteSessions();
var app = services.BuildServiceProvider();

var terminalRuns = 0;
var terminal = AIFunctionFactory.Create((string command) =>
{
    terminalRuns++;
    return $"$ {command}: " + string.Join(" ", Directory.GetFiles(root).Select(Path.GetFileName));
}, "terminal", "Runs a shell command.");

var refusalsSeen = 0;
AIAgent agent = new ChatClientAgent(new ScriptedModel(), new ChatClientAgentOptions
{
    Name = "hermes",
    DisableApprovalResponseBinding = true,                                                             // Hermes.Identity binds approvals itself
    ChatOptions = new ChatOptions { Tools = [terminal] },
    ChatHistoryProvider = new HermesChatHistoryProvider(app.GetRequiredService<ICurrentProfile>()),   // each person's own store
})
    .AsBuilder()
    .Use(async (_, context, next, cancellationToken) =>                                                // function middleware
    {
        var result = await next(context, cancellationToken);
        Console.WriteLine($"    [middleware] {context.Function.Name} -> {result}");
        refusalsSeen += result?.ToString()?.StartsWith("Refused:", StringComparison.Ordinal) == true ? 1 : 0;
        return result;
    })
    .UseHermesIsolation()                                                                              // last: inside the middleware
    .Build(app);

var resolver = app.GetRequiredService<IIdentityResolver>();
var turns = app.GetRequiredService<ITurnScopeFactory>();
var louis = new SenderEnvelope("telegram", "111", "111", ChatKind.Direct, "Louis");
var mei = new SenderEnvelope("telegram", "222", "222", ChatKind.Direct, "Mei");
var sessions = new Dictionary<string, AgentSession>();

async Task<string> SayAsync(SenderEnvelope sender, string text)
{
    await using var turn = turns.BeginTurn(await resolver.ResolveAsync(sender));
    var key = turn.Context.Profile.Key;
    if (!sessions.TryGetValue(key, out var session))
    {
        sessions[key] = session = await agent.CreateSessionAsync();
    }

    var reply = await agent.RunAsync(text, session);
    Console.WriteLine($"{sender.DisplayName}: {text}\n  bot: {reply.Text}");
    return reply.Text;
}

await SayAsync(louis, "run ls");
await SayAsync(mei, "run ls");
await SayAsync(louis, "my code word is tulip");
await SayAsync(mei, "my code word is orchid");
var louisMemory = await SayAsync(louis, "what do you remember?");
var meiMemory = await SayAsync(mei, "what do you remember?");

// A session object handed to the wrong person is refused before anything in it is sent.
var refused = false;
await using (turns.BeginTurn(await resolver.ResolveAsync(mei)))
{
    try
    {
        await agent.RunAsync("hello", sessions["louis"]);
    }
    catch (AccessDeniedException ex)
    {
        refused = true;
        Console.WriteLine($"Mei with Louis's session: refused ({ex.Decision.Reason})");
    }
}

await app.DisposeAsync();
Directory.Delete(root, recursive: true);

var ok = terminalRuns == 1 && refusalsSeen == 1 && refused
    && louisMemory.Contains("tulip", StringComparison.Ordinal) && !louisMemory.Contains("orchid", StringComparison.Ordinal)
    && meiMemory.Contains("orchid", StringComparison.Ordinal) && !meiMemory.Contains("tulip", StringComparison.Ordinal);
Console.WriteLine(ok ? "OK: one terminal run (Louis's), Mei's refusal seen by the middleware, each history its own." : "FAILED");
return ok ? 0 : 1;
