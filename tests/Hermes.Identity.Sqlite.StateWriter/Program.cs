using System.Globalization;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

// usage:
//   StateWriter consume <root> <count>
//     Prints "ready", waits for a line on standard input, then for each i below count consumes record queue/job<i>
//     if it is still there: deletes it at the version read and writes consumed/job<i>, in one commit, retrying
//     while the record is there and the commit is refused. Prints "consumed <i>" after each commit that returned
//     true, then "done".
//   StateWriter commit <root> <writer id>
//     Until killed: commit i writes crash/w<writer>-<i>-0..2 (expecting them absent) and moves crash/counter-<writer>
//     to i (expecting the version read); after the commit returned true, prints "ack <i> <version of the batch>".
// Any exception: the message on standard error and exit code 1.
//   StateWriter directory-set <database> <key> <role> <account>
//     Adds or replaces one person of the SQLite identity directory at <database>, prints "set <version>".
//   StateWriter directory-remove <database> <key>
//     Removes one person, prints "removed <true|false>".
if (args.Length > 0 && args[0] is "directory-set" or "directory-remove")
{
    using var directory = new Hermes.Identity.Sqlite.SqliteIdentityDirectory(args[1]);
    if (args[0] == "directory-set" && args.Length == 5)
    {
        Console.WriteLine($"set {await directory.SetAsync(new Hermes.Identity.Directories.DirectoryPerson(args[2], args[3], null, [args[4]]))}");
        return 0;
    }

    if (args[0] == "directory-remove" && args.Length == 3)
    {
        Console.WriteLine($"removed {(await directory.RemoveAsync(args[2])).ToString().ToLowerInvariant()}");
        return 0;
    }

    Console.Error.WriteLine("usage: StateWriter directory-set <database> <key> <role> <account> | StateWriter directory-remove <database> <key>");
    return 2;
}

if (args.Length != 3 || args[0] is not ("consume" or "commit"))
{
    Console.Error.WriteLine("usage: StateWriter consume <root> <count> | StateWriter commit <root> <writer id>");
    return 2;
}

var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = args[1]).AddSqliteState();
await using var provider = services.BuildServiceProvider();
var store = provider.GetRequiredService<IIdentityStateStore>();

try
{
    if (args[0] == "consume")
    {
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        Console.WriteLine("ready");
        Console.ReadLine();
        for (var i = 0; i < count; i++)
        {
            var key = $"job{i}";
            while (await store.GetAsync("queue", key) is { } job)
            {
                if (await store.TryCommitAsync([StateChange.Delete("queue", key, job.Version), StateChange.Put("consumed", key, $$"""{"by":{{Environment.ProcessId}}}""", 0)]))
                {
                    Console.WriteLine($"consumed {i}");
                    break;
                }
            }
        }

        Console.WriteLine("done");
        return 0;
    }

    var writer = args[2];
    var counterKey = $"counter-{writer}";
    for (var i = 0; ; i++)
    {
        var counter = await store.GetAsync("crash", counterKey);
        StateChange[] batch =
        [
            StateChange.Put("crash", $"w{writer}-{i}-0", $$"""{"i":{{i}}}""", 0),
            StateChange.Put("crash", $"w{writer}-{i}-1", $$"""{"i":{{i}}}""", 0),
            StateChange.Put("crash", $"w{writer}-{i}-2", $$"""{"i":{{i}}}""", 0),
            StateChange.Put("crash", counterKey, $$"""{"i":{{i}}}""", counter?.Version ?? 0),
        ];
        if (!await store.TryCommitAsync(batch))
        {
            Console.Error.WriteLine($"commit {i} was refused: nobody else writes these records");
            return 1;
        }

        var version = (await store.GetAsync("crash", $"w{writer}-{i}-0"))!.Version;
        Console.WriteLine($"ack {i} {version}");
    }
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {ex}");
    return 1;
}
