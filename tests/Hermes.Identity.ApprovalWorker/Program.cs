// Usage (the data root holds identities.yaml; the state store is state/identity.db under it):
//   run     <root> <digest> <call id>...   prints "ready", waits for a line on standard input, then for each call id asks
//                                          the engine about Mei's call of the terminal in her conversation (chat-mei);
//                                          when allowed, "runs" it: appends "<call id>" to runs.log under the root,
//                                          flushed to disk, then prints "ran <call id>"; otherwise prints "<effect> <call id>".
//   approve <root> <user id> <code>...     prints "ready", waits for a line, then approves each code as that telegram
//                                          user, printing "approved <code>" or "refused <code>".
using Hermes.Identity;
using Hermes.Identity.Approvals;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

var (mode, root) = (args[0], args[1]);
var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).AddSqliteState();
await using var provider = services.BuildServiceProvider();
var resolver = provider.GetRequiredService<IIdentityResolver>();
var turns = provider.GetRequiredService<ITurnScopeFactory>();
var engine = provider.GetRequiredService<PolicyEngine>();
var approvals = provider.GetRequiredService<Approvals>();
var stdout = Console.Out;

async Task<T> As<T>(string userId, string chat, Func<Task<T>> work)
{
    var resolution = await resolver.ResolveAsync(new SenderEnvelope("telegram", userId, chat));
    await using var turn = turns.BeginTurn(resolution);
    return await work();
}

// Warm up (JIT, the database) before the start signal, so that the processes overlap.
await As("111", "chat-louis", async () => await approvals.ListPendingAsync());
stdout.WriteLine("ready");
stdout.Flush();
if (await Console.In.ReadLineAsync() is null)
{
    return 2;
}

if (mode == "run")
{
    var digest = args[2];
    foreach (var callId in args[3..])
    {
        var decision = await As("222", "chat-mei", async () => await engine.AuthorizeToolCallAsync("terminal", callId, digest));
        if (decision.IsAllowed)
        {
            using (var log = new FileStream(Path.Combine(root, "runs.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
            {
                log.Write(System.Text.Encoding.UTF8.GetBytes(callId + "\n"));
                log.Flush(flushToDisk: true);
            }

            stdout.WriteLine("ran " + callId);
        }
        else
        {
            stdout.WriteLine(decision.Effect + " " + callId);
        }

        stdout.Flush();
    }

    return 0;
}

var userId = args[2];
foreach (var code in args[3..])
{
    var decision = await As(userId, "chat-" + userId, async () => await approvals.ApproveAsync(code));
    stdout.WriteLine((decision.IsAllowed ? "approved " : "refused ") + code);
    stdout.Flush();
}

return 0;
