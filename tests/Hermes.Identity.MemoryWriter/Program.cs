// Usage:
//   append  <root> <telegram user id> <prefix> <count>   warms up, prints "ready", waits for a line on standard input,
//                                                         then adds "<prefix>-<i>" to MEMORY.md, i = 0..count-1: the
//                                                         test sends every writer that line at once, so they overlap
//   rewrite <root> <telegram user id> <payload chars>    rewrites MEMORY.md forever: two entries "A <k> <fill>"
//                                                         and "B <k> <fill>", advanced in turn; prints "A k" / "B k"
//                                                         after each acknowledged write.
using Hermes.Identity;
using Hermes.Identity.Memory;
using Hermes.Identity.MemoryWriter;
using Microsoft.Extensions.DependencyInjection;

// Decided by the built-in roles, as in a host: the tests write as mei, who is trusted with her own memory.
var (mode, root, userId) = (args[0], args[1], args[2]);
var services = new ServiceCollection();
services.AddHermesIsolation(o => o.Root = root).ConfigureMemory(m => m.NotesLimit = 100_000);
await using var provider = services.BuildServiceProvider();
var resolution = await provider.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", userId));
await using var turn = provider.GetRequiredService<ITurnScopeFactory>().BeginTurn(resolution);
var memory = turn.Services.GetRequiredService<IMemoryStore>();
var stdout = Console.Out;

if (mode == "append")
{
    var (prefix, count) = (args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
    await memory.ReadAsync();   // warm up (JIT, first file access) before the start
    stdout.WriteLine("ready");
    stdout.Flush();
    if (await Console.In.ReadLineAsync() is null)
    {
        return 2;   // the test went away without a signal
    }

    for (var i = 0; i < count; i++)
    {
        await memory.AddAsync(MemoryFile.Notes, $"{prefix}-{i}");
    }

    return 0;
}

var payload = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var notes = (await memory.ReadAsync()).Notes;
int a, b;
if (notes.Count == 0)
{
    await memory.AddAsync(MemoryFile.Notes, RewriteVersion.Entry('A', 0, payload));
    await memory.AddAsync(MemoryFile.Notes, RewriteVersion.Entry('B', 0, payload));
    (a, b) = (0, 0);
}
else
{
    (a, b) = (RewriteVersion.Parse(notes[0]).Version, RewriteVersion.Parse(notes[1]).Version);
}

while (true)
{
    if (a == b)
    {
        await memory.ReplaceAsync(MemoryFile.Notes, $"A {a} ", RewriteVersion.Entry('A', ++a, payload));
        stdout.WriteLine($"A {a}");
    }
    else
    {
        await memory.ReplaceAsync(MemoryFile.Notes, $"B {b} ", RewriteVersion.Entry('B', ++b, payload));
        stdout.WriteLine($"B {b}");
    }

    stdout.Flush();
}
