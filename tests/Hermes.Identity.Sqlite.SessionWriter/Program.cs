using Hermes.Identity;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

// usage: SessionWriter <root> <writer id> <count, 0 = until killed> <batch size> <user id>[,<user id>...]
// For each i, begins a turn for the next user id (telegram, group chat "group-1"), appends a batch of
// messages "w<writer>-<i>-<j>" to that person's current session in one call, and after the commit
// prints "ack <user id> <i>". Any exception: the message on stderr and exit code 1.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: SessionWriter <root> <writer id> <count> <batch size> <user id>[,<user id>...]");
    return 2;
}

var root = args[0];
var writer = args[1];
var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var batch = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var users = args[4].Split(',');

var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).AddSqliteSessions();
await using var provider = services.BuildServiceProvider();
var resolver = provider.GetRequiredService<IIdentityResolver>();
var turns = provider.GetRequiredService<ITurnScopeFactory>();

try
{
    for (var i = 0; count == 0 || i < count; i++)
    {
        var user = users[i % users.Length];
        var resolution = await resolver.ResolveAsync(new SenderEnvelope("telegram", user, "group-1", ChatKind.Group));
        await using var turn = turns.BeginTurn(resolution);
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = await store.OpenCurrentSessionAsync();
        var messages = Enumerable.Range(0, batch).Select(j => new SessionMessage(SessionRoles.User, $"w{writer}-{i}-{j}")).ToArray();
        await store.AppendAsync(session.Id, messages);
        Console.WriteLine($"ack {user} {i}");
    }

    return 0;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {ex}");
    return 1;
}
