using System.Text.Json;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// The tools as a Hermes Agent prompt makes a model call them, through the whole pipeline: a model asks for calls with
// Hermes Agent's tool names and argument names, UseHermesIsolation's gate decides each call and hands the tool the turn's
// services, UseFunctionInvocation runs it, and the result goes back to the model.
public sealed class HermesStyleCallTests
{
    [Fact]
    public async Task Hermes_style_calls_work_unchanged_through_the_gate()
    {
        await using var host = new ToolsHost();
        var results = await host.SendAsync(
            ToolsHost.Mei,
            ("write_file", """{"path": "notes/tea.md", "content": "green tea\noolong\n"}"""),
            ("read_file", """{"path": "notes/tea.md", "offset": 1, "limit": 500}"""),
            ("patch", """{"mode": "replace", "path": "notes/tea.md", "old_string": "oolong", "new_string": "oolong (Taiwan)", "replace_all": false}"""),
            ("search_files", """{"pattern": "Taiwan", "target": "content", "path": ".", "limit": 50, "offset": 0, "output_mode": "content", "context": 0}"""),
            ("search_files", """{"pattern": "*.md", "target": "files"}"""),
            ("memory", """{"action": "add", "target": "user", "content": "Mei drinks oolong"}"""),
            ("memory", """{"action": "replace", "target": "user", "old_text": "drinks oolong", "content": "Mei drinks Taiwanese oolong"}"""),
            ("session_search", """{"query": "oolong", "limit": 3}"""));

        Assert.Equal(8, results.Count);
        Assert.All(results, r => r.Ok());
        Assert.Equal("     1|green tea\n     2|oolong\n", results[1].Str("content"));
        Assert.Equal("notes/tea.md", results[3].GetProperty("matches")[0].Str("path"));
        Assert.Equal(["notes/tea.md"], results[4].GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["Mei drinks Taiwanese oolong"], results[6].GetProperty("entries").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("green tea\noolong (Taiwan)\n", File.ReadAllText(host.Workspace("mei", "notes/tea.md")));
        Assert.Contains("Mei drinks Taiwanese oolong", File.ReadAllText(Path.Combine(host.Root, "memories", "mei", "USER.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gate_decides_which_tools_run_and_the_tools_never_see_another_person()
    {
        await using var host = new ToolsHost();
        // A guest is offered the read tools only; a write_file the model asks for anyway is refused by the gate, unrun.
        var guest = await host.SendAsync(
            ToolsHost.Gina,
            ("write_file", """{"path": "x.txt", "content": "x"}"""),
            ("list_files", """{"path": "."}"""));
        Assert.DoesNotContain("write_file", host.Model.Offered);
        Assert.Contains("read_file", host.Model.Offered);
        Assert.True(guest[0].GetProperty("gate").GetBoolean());
        Assert.Contains("did not run", guest[0].Str("error"), StringComparison.Ordinal);
        guest[1].Ok();
        Assert.False(File.Exists(host.Workspace("gina", "x.txt")));

        // The owner's turn offers everything and acts on the owner's own workspace; Mei's turn then cannot read it back.
        var louis = await host.SendAsync(ToolsHost.Louis, ("read_file", """{"path": "notes/plan.md"}"""));
        Assert.Contains(ToolsHost.Canary, louis[0].Ok().Str("content"), StringComparison.Ordinal);
        var mei = await host.SendAsync(ToolsHost.Mei, ("read_file", """{"path": "notes/plan.md"}"""), ("read_file", """{"path": "../louis/notes/plan.md"}"""));
        mei[0].Fails("does not exist");
        mei[1].Fails("outside the workspace");
        Assert.DoesNotContain(ToolsHost.Canary, JsonSerializer.Serialize(mei), StringComparison.Ordinal);
    }
}
