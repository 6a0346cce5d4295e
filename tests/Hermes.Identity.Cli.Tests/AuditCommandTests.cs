using System.Text.Json.Nodes;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Tests;

/// <summary>audit verify, as a process, on a decision log the library wrote.</summary>
public sealed class AuditCommandTests
{
    [Fact]
    public async Task Verify_checks_the_chain_and_the_anchor_and_finds_an_edited_record()
    {
        using var temp = new TempDirectory("cli-audit");
        var root = Roots.Create(temp);
        await using (var view = new LibraryView(root, b => b.ConfigurePolicy(o => o.WriteAuditFile = true)))
        {
            foreach (var action in new[] { "tool.exec", "memory.write", "identity.admin" })
            {
                await view.AsAsync(new SenderEnvelope("telegram", "5550001"), async turn =>
                    await turn.Services.GetRequiredService<PolicyEngine>().AuthorizeAsync(action));
            }
        }

        var log = Path.Combine(root, "audit", "decisions.jsonl");
        var first = await ToolRun.RunAsync(root, ["audit", "verify", "--json"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var report = JsonNode.Parse(first.Out)!;
        var last = (string)report["last_hash"]!;
        Assert.Equal(3, (int)report["records"]!);
        var firstHash = (string)JsonNode.Parse(File.ReadLines(log).First())!["hash"]!;
        var names = new Dictionary<string, string>(MigrationTests.Paths(temp)) { [last] = "<LAST>", [firstHash] = "<FIRST>" };

        Golden.Match("audit-verify", await ToolRun.RunAsync(root, ["audit", "verify", "--anchor", firstHash]), names);
        Golden.Match("audit-unknown-anchor", await ToolRun.RunAsync(root, ["audit", "verify", "--anchor", "0000000000000000"]), names);

        // Someone edits the second record: its hash no longer matches.
        var lines = File.ReadAllLines(log);
        lines[1] = lines[1].Replace("memory.write", "memory.wrote", StringComparison.Ordinal);
        File.WriteAllLines(log, lines);
        var broken = await ToolRun.RunAsync(root, ["audit", "verify"]);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("NOT intact", broken.Out, StringComparison.Ordinal);
        Assert.Equal(3, (await ToolRun.RunAsync(temp.Path, ["audit", "verify", "--root", temp.Combine("nowhere")])).ExitCode);
    }
}
