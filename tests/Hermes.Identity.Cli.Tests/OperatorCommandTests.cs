using System.IO.Compression;
using System.Text.Json.Nodes;
using Hermes.Identity.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Cli.Tests;

/// <summary>The operator's commands, as processes, one after the other on one data root: pairing, grants, approvals, export, erase.</summary>
public sealed class OperatorCommandTests
{
    [Fact]
    public async Task Pairing_grants_and_approvals_act_as_the_owner_and_refuse_someone_without_the_right()
    {
        using var temp = new TempDirectory("cli-operator");
        var root = Roots.Create(temp);

        // A stranger writes to the bot: the library gives them a pairing code.
        string code;
        await using (var view = new LibraryView(root))
        {
            var resolution = await view.Services.GetRequiredService<IIdentityResolver>().ResolveAsync(new SenderEnvelope("telegram", "999", "999", ChatKind.Direct, "Alex"));
            code = resolution.PairingRequest!.Code;
        }

        var names = new Dictionary<string, string>(MigrationTests.Paths(temp)) { [code] = "<CODE>" };
        Golden.Match("pair-list", await ToolRun.RunAsync(root, ["pair", "list"]), names);
        Golden.Match("pair-list-as-mei", await ToolRun.RunAsync(root, ["pair", "list", "--as", "mei"]), names);
        Golden.Match("pair-approve", await ToolRun.RunAsync(root, ["pair", "approve", "telegram", code, "--profile", "alex"]), names);
        var whois = await ToolRun.RunAsync(root, ["whois", "telegram:999", "--json"]);
        Assert.Equal(("alex", "guest"), ((string)JsonNode.Parse(whois.Out)!["profile"]!, (string)JsonNode.Parse(whois.Out)!["role"]!));
        Golden.Match("pair-revoke", await ToolRun.RunAsync(root, ["pair", "revoke", "alex"]), names);
        Assert.Equal(3, (await ToolRun.RunAsync(root, ["whois", "telegram:999"])).ExitCode);
        Assert.Equal(3, (await ToolRun.RunAsync(root, ["pair", "deny", "telegram", "NOSUCHCODE"])).ExitCode);

        var issued = await ToolRun.RunAsync(root, ["grants", "issue", "mei", "tool.web.*", "--uses", "2", "--for", "2h", "--json"]);
        Assert.True(issued.ExitCode == 0, issued.ToString());
        var id = (string)JsonNode.Parse(issued.Out)!["id"]!;
        names[id] = "<GRANT>";
        Golden.Match("grants-list", await ToolRun.RunAsync(root, ["grants", "list"]), names);
        Golden.Match("grants-revoke", await ToolRun.RunAsync(root, ["grants", "revoke", id]), names);
        Assert.Equal(3, (await ToolRun.RunAsync(root, ["grants", "revoke", id])).ExitCode);
        Assert.Equal(2, (await ToolRun.RunAsync(root, ["grants", "issue", "mei", "tool.exec", "--for", "soon"])).ExitCode);

        // Mei's agent calls write_file, which her role may use only once approved: a request waits for the owner.
        string request;
        await using (var view = new LibraryView(root))
        {
            var decision = await view.AsAsync(new SenderEnvelope("telegram", "5550001", "5550001"), async turn =>
                await turn.Services.GetRequiredService<Hermes.Identity.Policy.PolicyEngine>().AuthorizeToolCallAsync("write_file", "call-1", new string('a', 64)));
            Assert.Equal(PolicyEffect.RequireApproval, decision.Effect);
            request = decision.Approval!.Id;
        }

        names[request] = "<REQUEST>";
        Golden.Match("approvals-list", await ToolRun.RunAsync(root, ["approvals", "list"]), names);
        Assert.Equal(1, (await ToolRun.RunAsync(root, ["approvals", "approve", request, "--as", "mei"])).ExitCode);
        Golden.Match("approvals-approve", await ToolRun.RunAsync(root, ["approvals", "approve", request]), names);
        await using (var view = new LibraryView(root))
        {
            var answered = await view.AsAsync(new SenderEnvelope("telegram", "732113076"), async turn =>
                await turn.Services.GetRequiredService<Hermes.Identity.Approvals.Approvals>().GetAsync(request));
            Assert.Equal((ApprovalState.Approved, "louis"), (answered!.State, answered.AnsweredBy));
        }

        Golden.Match("approvals-approve-unknown", await ToolRun.RunAsync(root, ["approvals", "approve", "NOSUCH99"]), names);
    }

    [Fact]
    public async Task Export_writes_a_zip_of_one_persons_data_and_erase_asks_first()
    {
        using var temp = new TempDirectory("cli-data");
        var root = Roots.Create(temp);
        await using (var view = new LibraryView(root))
        {
            await view.AsAsync(new SenderEnvelope("telegram", "5550001"), async turn =>
                await turn.Services.GetRequiredService<IMemoryStore>().AddAsync(MemoryFile.User, "Mei likes the park by the lake"));
            await view.AsAsync(new SenderEnvelope("telegram", "732113076"), async turn =>
                await turn.Services.GetRequiredService<IMemoryStore>().AddAsync(MemoryFile.User, "Louis's own secret"));
        }

        var zip = temp.Combine("out", "mei.zip");
        var export = await ToolRun.RunAsync(root, ["export", "mei", "--out", zip]);
        Golden.Match("export", export, MigrationTests.Paths(temp));
        using (var archive = ZipFile.OpenRead(zip))
        {
            var texts = archive.Entries.Where(e => e.Length > 0 && e.FullName.EndsWith(".md", StringComparison.Ordinal)).Select(e => new StreamReader(e.Open()).ReadToEnd()).ToList();
            Assert.Contains(texts, t => t.Contains("Mei likes the park", StringComparison.Ordinal));
            Assert.DoesNotContain(texts, t => t.Contains("Louis's own secret", StringComparison.Ordinal));
        }

        Assert.Equal(1, (await ToolRun.RunAsync(root, ["export", "mei", "--out", zip])).ExitCode);
        Assert.Equal(1, (await ToolRun.RunAsync(root, ["export", "mei", "--out", Path.Combine(root, "inside.zip")])).ExitCode);

        var declined = await ToolRun.RunAsync(root, ["erase", "mei"], input: "no\n");
        Golden.Match("erase-declined", declined, MigrationTests.Paths(temp));
        Assert.True(File.Exists(Path.Combine(root, "memories", "mei", "USER.md")));

        var typed = await ToolRun.RunAsync(root, ["erase", "mei"], input: "mei\n");
        Golden.Match("erase", typed, MigrationTests.Paths(temp));
        Assert.False(File.Exists(Path.Combine(root, "memories", "mei", "USER.md")));
        Assert.True(File.Exists(Path.Combine(root, "memories", "louis", "USER.md")));
        Assert.Equal(0, (await ToolRun.RunAsync(root, ["erase", "mei", "--yes"])).ExitCode);
    }
}
