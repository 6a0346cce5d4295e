using Hermes.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The README quick start, as an existing bot would write it against the published packages.
var root = Path.Combine(Path.GetTempPath(), "hermes-consumer-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
File.WriteAllText(Path.Combine(root, "identities.yaml"), """
    version: 1
    unknown_senders: deny
    identities:
      louis: { role: owner, accounts: { telegram: "111" } }
    """);

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHermesIsolation(o => o.Root = root);
using var app = builder.Build();
await app.StartAsync();

var resolver = app.Services.GetRequiredService<IIdentityResolver>();
var turns = app.Services.GetRequiredService<ITurnScopeFactory>();
var current = app.Services.GetRequiredService<ICurrentProfile>();

var louis = await resolver.ResolveAsync(new SenderEnvelope("telegram", "111", displayName: "Louis"));
await using (turns.BeginTurn(louis))
{
    Console.WriteLine($"telegram:111 -> {current.Profile.Key} ({current.Profile.Role})");
}

var stranger = await resolver.ResolveAsync(new SenderEnvelope("telegram", "222", displayName: "Louis (owner)"));
Console.WriteLine($"telegram:222 admitted: {stranger.IsAdmitted}");
await app.StopAsync();
Directory.Delete(root, recursive: true);
return current.IsInTurn || stranger.IsAdmitted ? 1 : 0;
