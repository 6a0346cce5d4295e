using System.Text.Json;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// What the tools must never do: act outside a turn, act for one person on another's files, memory or sessions, or
// follow a path argument out of the workspace. Every refusal comes back as a result that says why.
public sealed class ToolIsolationTests
{
    private static readonly SenderEnvelope Mei = ToolsHost.Mei;
    private static readonly SenderEnvelope Ana = ToolsHost.Ana;

    public static TheoryData<string, string> EveryTool => new()
    {
        { "memory", """{"action": "add", "target": "memory", "content": "x"}""" },
        { "read_file", """{"path": "notes/plan.md"}""" },
        { "write_file", """{"path": "x.txt", "content": "x"}""" },
        { "patch", """{"path": "x.txt", "old_string": "a", "new_string": "b"}""" },
        { "search_files", """{"pattern": "x"}""" },
        { "append_file", """{"path": "x.txt", "content": "x"}""" },
        { "list_files", """{"path": "."}""" },
        { "move_file", """{"source": "a", "destination": "b"}""" },
        { "delete_file", """{"path": ".", "recursive": true}""" },
        { "file_info", """{"path": "."}""" },
        { "session_search", """{}""" },
    };

    [Theory]
    [MemberData(nameof(EveryTool))]
    public async Task Outside_a_turn_every_tool_refuses_and_does_nothing(string tool, string json)
    {
        await using var host = new ToolsHost();
        var before = host.FilesOutside("none");

        (await ToolsHost.InvokeAsync(tool, json, services: null)).Fails("only inside a turn");
        (await ToolsHost.InvokeAsync(tool, json, host.Services)).Fails("only inside a turn");
        using (var scope = host.Services.CreateScope())
        {
            (await ToolsHost.InvokeAsync(tool, json, scope.ServiceProvider)).Fails("only inside a turn");
        }

        // The services of a turn that has ended.
        var ended = await host.InTurnAsync(Mei, turn => ValueTask.FromResult(turn.Services));
        (await ToolsHost.InvokeAsync(tool, json, ended)).Fails();
        Assert.Equal(before, host.FilesOutside("none"));
        Assert.False(Directory.Exists(host.Workspace("mei")) && Directory.EnumerateFileSystemEntries(host.Workspace("mei")).Any());
    }

    [Fact]
    public async Task A_turn_of_one_person_with_the_services_of_another_persons_turn_does_nothing()
    {
        await using var host = new ToolsHost();
        await using var meiTurn = host.Begin(Mei);
        // Ana's turn runs on a flow of its own (turns do not nest) while Mei's is still open, and is handed Mei's services.
        Task<JsonElement> ana;
        using (ExecutionContext.SuppressFlow())
        {
            ana = Task.Run(() => host.InTurnAsync(Ana, async _ => await ToolsHost.InvokeAsync("write_file", """{"path": "x.txt", "content": "x"}""", meiTurn.Services)));
        }

        (await ana).Fails("no longer the one in progress");
        Assert.False(File.Exists(host.Workspace("mei", "x.txt")));
        Assert.False(File.Exists(host.Workspace("ana", "x.txt")));
    }

    [Fact]
    public async Task Two_people_never_see_each_others_files_memory_or_sessions()
    {
        await using var host = new ToolsHost();
        (await host.CallAsync(Mei, "write_file", """{"path": "diary.md", "content": "MEI-PRIVATE-1"}""")).Ok();
        (await host.CallAsync(Mei, "memory", """{"action": "add", "target": "user", "content": "MEI-PRIVATE-2"}""")).Ok();
        var meiSession = await host.InTurnAsync(Mei, async turn =>
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            var session = await store.OpenCurrentSessionAsync();
            await store.AppendAsync(session.Id, [new SessionMessage("user", "MEI-PRIVATE-3 my bank pin")]);
            return session.Id;
        });

        // Ana uses the same paths and words: she gets her own empty workspace, memory and history.
        (await host.CallAsync(Ana, "read_file", """{"path": "diary.md"}""")).Fails("does not exist");
        Assert.Equal(0, (await host.CallAsync(Ana, "list_files", """{"path": "."}""")).Ok().Int("count"));
        Assert.Equal(0, (await host.CallAsync(Ana, "search_files", """{"pattern": "MEI-PRIVATE"}""")).Ok().Int("total_count"));
        Assert.Empty((await host.CallAsync(Ana, "memory", """{"action": "read", "target": "user"}""")).Ok().GetProperty("entries").EnumerateArray());
        (await host.CallAsync(Ana, "memory", """{"action": "remove", "target": "user", "old_text": "MEI-PRIVATE-2"}""")).Fails();
        Assert.Equal(0, (await host.CallAsync(Ana, "session_search", """{"query": "MEI-PRIVATE-3"}""")).Ok().Int("count"));
        Assert.Equal(0, (await host.CallAsync(Ana, "session_search")).Ok().Int("count"));
        var read = (await host.CallAsync(Ana, "session_search", $$"""{"session_id": "{{meiSession}}"}""")).Fails();
        Assert.DoesNotContain("MEI-PRIVATE", read, StringComparison.Ordinal);
        (await host.CallAsync(Ana, "write_file", """{"path": "diary.md", "content": "ANA"}""")).Ok();
        (await host.CallAsync(Ana, "delete_file", """{"path": ".", "recursive": true}""")).Ok();

        Assert.Equal("MEI-PRIVATE-1", File.ReadAllText(host.Workspace("mei", "diary.md")));
        Assert.Contains("MEI-PRIVATE-2", File.ReadAllText(Path.Combine(host.Root, "memories", "mei", "USER.md")), StringComparison.Ordinal);
        Assert.Equal(1, (await host.CallAsync(Mei, "session_search", """{"query": "MEI-PRIVATE-3"}""")).Ok().Int("count"));
    }

    [Fact]
    public async Task Escape_attempts_through_tool_arguments_fail_and_change_nothing_outside()
    {
        await using var host = new ToolsHost();
        (await host.CallAsync(Mei, "write_file", """{"path": "notes/mine.md", "content": "mine"}""")).Ok();
        Directory.CreateSymbolicLink(host.Workspace("mei", "louisdir"), "../louis");
        File.CreateSymbolicLink(host.Workspace("mei", "secret-link"), Path.Combine(host.Root, "workspaces", "secret.txt"));
        var louisPlan = Path.Combine(host.Workspace("louis"), "notes", "plan.md");
        var before = host.FilesOutside("mei");

        var attempts = new (string Tool, string Json)[]
        {
            ("read_file", """{"path": "../louis/notes/plan.md"}"""),
            ("read_file", """{"path": "notes/../../louis/notes/plan.md"}"""),
            ("read_file", """{"path": "../mei-evil/x"}"""),
            ("read_file", $$"""{"path": {{JsonSerializer.Serialize(louisPlan)}}}"""),
            ("read_file", """{"path": "/etc/passwd"}"""),
            ("read_file", """{"path": "~/../louis/notes/plan.md"}"""),
            ("read_file", """{"path": "louisdir/notes/plan.md"}"""),
            ("read_file", """{"path": "secret-link"}"""),
            ("write_file", """{"path": "louisdir/notes/plan.md", "content": "pwned"}"""),
            ("write_file", """{"path": "../louis/notes/plan.md", "content": "pwned"}"""),
            ("write_file", """{"path": "secret-link", "content": "pwned"}"""),
            ("append_file", """{"path": "louisdir/notes/plan.md", "content": "pwned"}"""),
            ("patch", """{"path": "louisdir/notes/plan.md", "old_string": "CANARY", "new_string": "pwned"}"""),
            ("patch", """{"path": "secret-link", "old_string": "CANARY", "new_string": "pwned"}"""),
            ("move_file", """{"source": "louisdir/notes/plan.md", "destination": "stolen.md"}"""),
            ("move_file", """{"source": "../louis/notes/plan.md", "destination": "stolen.md"}"""),
            ("move_file", """{"source": "notes/mine.md", "destination": "../louis/planted.md"}"""),
            ("move_file", """{"source": "notes/mine.md", "destination": "louisdir/planted.md"}"""),
            ("delete_file", """{"path": "louisdir/notes/plan.md"}"""),
            ("delete_file", """{"path": "../louis", "recursive": true}"""),
            ("delete_file", """{"path": "louisdir/notes", "recursive": true}"""),
            ("list_files", """{"path": "louisdir"}"""),
            ("list_files", """{"path": ".."}"""),
            ("search_files", """{"pattern": "CANARY", "path": ".."}"""),
            ("search_files", """{"pattern": "CANARY", "path": "louisdir"}"""),
            ("file_info", """{"path": "../louis/notes/plan.md"}"""),
        };

        foreach (var (tool, json) in attempts)
        {
            var error = (await host.CallAsync(Mei, tool, json)).Fails();
            Assert.DoesNotContain(ToolsHost.Canary, error, StringComparison.Ordinal);
            if (!json.Contains(host.Root, StringComparison.Ordinal))
            {
                Assert.DoesNotContain(host.Root, error, StringComparison.Ordinal);
            }
        }

        // What the tools may do with links: delete the link itself, and say where it points without following it.
        var info = (await host.CallAsync(Mei, "file_info", """{"path": "louisdir"}""")).Ok();
        Assert.Equal(("symlink", "../louis"), (info.Str("type"), info.Str("link_target")));
        Assert.Equal(JsonValueKind.Null, info.GetProperty("points_to").ValueKind);
        var search = (await host.CallAsync(Mei, "search_files", """{"pattern": "CANARY"}""")).Ok();
        Assert.Equal(0, search.Int("total_count"));
        (await host.CallAsync(Mei, "delete_file", """{"path": "louisdir", "recursive": true}""")).Ok();
        (await host.CallAsync(Mei, "delete_file", """{"path": ".", "recursive": true}""")).Ok();

        Assert.Equal(before, host.FilesOutside("mei"));
        Assert.Equal(ToolsHost.Canary + "\n", File.ReadAllText(louisPlan));
        Assert.False(File.Exists(host.Workspace("mei", "stolen.md")));
    }

    [Fact]
    public async Task A_guest_is_refused_by_the_stores_with_a_result_even_when_the_tool_is_invoked_directly()
    {
        // The gate would refuse write_file to a guest before it runs; invoked directly, the workspace refuses it itself.
        await using var host = new ToolsHost();
        Directory.CreateDirectory(host.Workspace("gina"));
        File.WriteAllText(host.Workspace("gina", "readme.txt"), "hello guest");
        var gina = ToolsHost.Gina;
        (await host.CallAsync(gina, "write_file", """{"path": "readme.txt", "content": "defaced"}""")).Fails("Refused", "read-only", "workspace.write");
        (await host.CallAsync(gina, "append_file", """{"path": "readme.txt", "content": "defaced"}""")).Fails("Refused");
        (await host.CallAsync(gina, "patch", """{"path": "readme.txt", "old_string": "hello", "new_string": "bye"}""")).Fails("Refused");
        (await host.CallAsync(gina, "move_file", """{"source": "readme.txt", "destination": "moved.txt"}""")).Fails("Refused");
        (await host.CallAsync(gina, "delete_file", """{"path": ".", "recursive": true}""")).Fails("Refused");
        Assert.Equal("     1|hello guest\n", (await host.CallAsync(gina, "read_file", """{"path": "readme.txt"}""")).Ok().Str("content"));
        Assert.Equal("hello guest", File.ReadAllText(host.Workspace("gina", "readme.txt")));
    }

    [Fact]
    public async Task Bad_arguments_are_results_that_say_what_to_fix()
    {
        await using var host = new ToolsHost();
        (await host.CallAsync(Mei, "read_file", "{}")).Fails("'path' is missing");
        (await host.CallAsync(Mei, "read_file", """{"path": "x", "limit": "many"}""")).Fails("'limit' must be a whole number");
        (await host.CallAsync(Mei, "read_file", """{"path": "."}""")).Fails("workspace root");
        (await host.CallAsync(Mei, "write_file", """{"path": "x.txt"}""")).Fails("'content' is missing");
        (await host.CallAsync(Mei, "move_file", """{"source": "a", "destination": "b", "overwrite": "perhaps"}""")).Fails("true or false");
        (await host.CallAsync(Mei, "read_file", """{"path": "a\u0000b"}""")).Fails("NUL");
        (await host.CallAsync(Mei, "search_files", """{"pattern": "x", "target": "web"}""")).Fails("'content' or 'files'");
    }
}
