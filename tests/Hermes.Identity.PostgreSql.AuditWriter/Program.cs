using System.Globalization;
using Hermes.Identity;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

// usage:
//   AuditWriter <connection string> <schema> <writer id> <count>
//     A host with AddPostgreSqlAudit on the schema, mei (trusted) on telegram:222. Prints "ready", waits for a line on
//     standard input, then makes count decisions (0: until killed) in one turn of mei's: call i is read_file (allowed)
//     when i is even, terminal (denied) when odd, with tool call id w<writer>-<i>. After each decision returned as the
//     roles decide it, prints "ack <i>"; then "done". A decision refused for any other reason (the audit could not be
//     written): its reason on standard error and exit code 1.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: AuditWriter <connection string> <schema> <writer id> <count>");
    return 2;
}

const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
var writer = args[2];
var count = int.Parse(args[3], CultureInfo.InvariantCulture);
var root = Directory.CreateTempSubdirectory("hermes-pgaudit-").FullName;
File.WriteAllText(Path.Combine(root, "identities.yaml"), """
    version: 1
    unknown_senders: deny
    identities:
      mei:
        role: trusted
        accounts: { telegram: "222" }
    tools:
      read_file: files.read
      terminal: exec
    """);
var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).AddPostgreSqlAudit(o =>
{
    o.ConnectionString = args[0];
    o.Schema = args[1];
});

try
{
    await using var provider = services.BuildServiceProvider();
    var engine = provider.GetRequiredService<PolicyEngine>();
    var resolution = await provider.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "222"));
    await using var turn = provider.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
    Console.WriteLine("ready");
    Console.ReadLine();
    for (var i = 0; count == 0 || i < count; i++)
    {
        var allowed = i % 2 == 0;
        var decision = await engine.AuthorizeToolCallAsync(allowed ? "read_file" : "terminal", $"w{writer}-{i}", Digest);
        if (decision.IsAllowed != allowed || decision.Errors.Count > 0)
        {
            Console.Error.WriteLine($"decision {i} was {decision.Effect}: {decision.Reason}");
            return 1;
        }

        Console.WriteLine($"ack {i}");
    }

    Console.WriteLine("done");
    return 0;
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
