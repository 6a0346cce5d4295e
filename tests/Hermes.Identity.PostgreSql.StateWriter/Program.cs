using System.Globalization;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

// usage:
//   StateWriter consume <connection string> <schema> <count>
//     Prints "ready", waits for a line on standard input, then for each i below count consumes record queue/job<i>
//     if it is still there: deletes it at the version read and writes consumed/job<i>, in one commit, retrying while
//     the record is there and the commit is refused. Prints "consumed <i>" after each commit that returned true, then "done".
//   StateWriter commit <connection string> <schema> <writer id>
//     Until killed: commit i writes crash/w<writer>-<i>-0..2 (expecting them absent) and moves crash/counter-<writer>
//     to i (expecting the version read); after the commit returned true, prints "ack <i> <version of the batch>".
// Any exception: the message on standard error and exit code 1.
if (args.Length != 4 || args[0] is not ("consume" or "commit"))
{
    Console.Error.WriteLine("usage: StateWriter consume <connection string> <schema> <count> | StateWriter commit <connection string> <schema> <writer id>");
    return 2;
}

var root = Directory.CreateTempSubdirectory("hermes-pgwriter-").FullName;
var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).AddPostgreSqlState(o =>
{
    o.ConnectionString = args[1];
    o.Schema = args[2];
});
await using var provider = services.BuildServiceProvider();
var store = provider.GetRequiredService<IIdentityStateStore>();

try
{
    if (args[0] == "consume")
    {
        var count = int.Parse(args[3], CultureInfo.InvariantCulture);
        await store.GetSequenceAsync(); // connected and migrated before "ready"
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

    var writer = args[3];
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
finally
{
    Directory.Delete(root, recursive: true);
}
