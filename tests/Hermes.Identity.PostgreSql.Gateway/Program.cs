using System.Globalization;
using Hermes.Identity;
using Hermes.Identity.Approvals;
using Hermes.Identity.Directories;
using Hermes.Identity.Pairing;
using Hermes.Identity.Policy;
using Hermes.Identity.PostgreSql;
using Hermes.Identity.PostgreSql.Gateway;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

// usage: Gateway <connection string> <schema> <data root holding identities.yaml> <retry delay in ms>
// One replica: AddPostgreSqlState + AddPostgreSqlDirectory, the directory and pairing refresh intervals at 1 minute (so
// what a test sees within a test is notified, not polled). Prints "ready <pid>" and "revision <r>", then, at any time,
// "revision <r>" for every new snapshot applied, "state-changed <n>" each time the state store's change token fires, and
// "log <EventName>" for the listener's events. Commands, one per line on standard input, each answered with one line
// that starts with "#<n> ", n counting the commands from 1:
//   decide <platform> <user id> <tool>     -> "decision <Allow|Deny|...> <profile key> <revision>"
//   dir-set <key> <role> <account>         -> "ok <directory version> <revision in force>"
//   dir-remove <key>                       -> "ok <True|False> <revision in force>"
//   link <platform> <user id>              -> (as louis, telegram:111) a link code, used by that account: "ok <revision>"
//   unlink <platform> <user id>            -> (as louis) the account's pairing revoked: "ok <count> <revision>"
//   grant <profile> <action>               -> (as louis) a grant of 100 uses for an hour: "ok <grant id>"
//   revoke-grant <id>                      -> (as louis) "ok <True|False>"
//   quit
// A failed command prints "error <message>" and the replica goes on.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Gateway <connection string> <schema> <data root> <retry delay ms>");
    return 2;
}

var services = new ServiceCollection();
services.AddLogging(l => l.SetMinimumLevel(LogLevel.Information).AddProvider(new StdoutEventLogger()));
services.AddHermesIsolation(o => o.Root = args[2])
    .AddPostgreSqlState(o =>
    {
        o.ConnectionString = args[0];
        o.Schema = args[1];
        o.RetryDelay = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture));
    })
    .AddPostgreSqlDirectory()
    .ConfigureIdentityDirectory(d => d.RefreshInterval = TimeSpan.FromMinutes(1))
    .ConfigurePairing(p => p.RefreshInterval = TimeSpan.FromMinutes(1));
await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

var snapshots = provider.GetRequiredService<IIdentitySnapshotProvider>();
var resolver = provider.GetRequiredService<IIdentityResolver>();
var turns = provider.GetRequiredService<ITurnScopeFactory>();
var engine = provider.GetRequiredService<PolicyEngine>();
var pairings = provider.GetRequiredService<Pairings>();
var grants = provider.GetRequiredService<Grants>();
var directory = provider.GetRequiredService<PostgreSqlIdentityDirectory>();
var store = provider.GetRequiredService<IIdentityStateStore>();

var revision = snapshots.Current.Revision;
var stateChanges = 0;
using var onRevision = ChangeToken.OnChange(snapshots.GetReloadToken, () => Console.WriteLine($"revision {snapshots.Current.Revision}"));
using var onState = ChangeToken.OnChange(store.GetChangeToken, () => Console.WriteLine($"state-changed {Interlocked.Increment(ref stateChanges)}"));
Console.WriteLine($"ready {Environment.ProcessId}");
Console.WriteLine($"revision {revision}");

var commands = 0;
while (Console.ReadLine() is { } line)
{
    var n = ++commands;
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0)
    {
        continue;
    }

    try
    {
        switch (words[0])
        {
            case "quit":
                return 0;
            case "decide":
                Console.WriteLine($"#{n} " + await DecideAsync(words[1], words[2], words[3]));
                break;
            case "dir-set":
                var version = await directory.SetAsync(new DirectoryPerson(words[1], words[2], null, [words[3]]));
                Console.WriteLine($"#{n} ok {version} {snapshots.Current.Revision}");
                break;
            case "dir-remove":
                var removed = await directory.RemoveAsync(words[1]);
                Console.WriteLine($"#{n} ok {removed} {snapshots.Current.Revision}");
                break;
            case "link":
                var code = await AsLouisAsync(() => pairings.CreateLinkCodeAsync().AsTask());
                await pairings.LinkAsync(new SenderEnvelope(words[1], words[2], "dm", ChatKind.Direct, null), code.Code);
                Console.WriteLine($"#{n} ok {snapshots.Current.Revision}");
                break;
            case "unlink":
                var count = await AsLouisAsync(() => pairings.RevokeAccountAsync(words[1], words[2]).AsTask());
                Console.WriteLine($"#{n} ok {count} {snapshots.Current.Revision}");
                break;
            case "grant":
                var grant = await AsLouisAsync(() => grants.IssueAsync(words[1], words[2], 100, TimeSpan.FromHours(1)).AsTask());
                Console.WriteLine($"#{n} ok {grant.Id}");
                break;
            case "revoke-grant":
                Console.WriteLine($"#{n} ok {await AsLouisAsync(() => grants.RevokeAsync(words[1]).AsTask())}");
                break;
            default:
                Console.WriteLine($"#{n} error unknown command {words[0]}");
                break;
        }
    }
    catch (Exception ex)
    {
        Console.WriteLine($"#{n} error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
    }
}

return 0;

async Task<string> DecideAsync(string platform, string userId, string tool)
{
    var resolution = await resolver.ResolveAsync(new SenderEnvelope(platform, userId, "dm", ChatKind.Direct, null));
    using var turn = turns.BeginTurn(resolution);
    var decision = await engine.AuthorizeToolCallAsync(tool);
    return $"decision {decision.Effect} {resolution.Profile?.Key ?? "(none)"} {decision.Revision}";
}

async Task<T> AsLouisAsync<T>(Func<Task<T>> work)
{
    var resolution = await resolver.ResolveAsync(new SenderEnvelope("telegram", "111", "dm", ChatKind.Direct, null));
    using var turn = turns.BeginTurn(resolution);
    return await work();
}
