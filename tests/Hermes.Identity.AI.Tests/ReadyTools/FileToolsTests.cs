using System.Text.Json;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// The file tools for a trusted person, on the real file system under the real kernel-confined workspace.
public sealed class FileToolsTests
{
    private static readonly SenderEnvelope Mei = ToolsHost.Mei;

    [Fact]
    public async Task Write_read_append_and_patch_a_file()
    {
        await using var host = new ToolsHost();
        var written = (await host.CallAsync(Mei, "write_file", """{"path": "notes/todo.md", "content": "buy tea\nbuy rice\ncall mum\n"}""")).Ok();
        Assert.Equal(26, written.Int("bytes_written"));
        Assert.Equal("buy tea\nbuy rice\ncall mum\n", File.ReadAllText(host.Workspace("mei", "notes/todo.md")));

        var read = (await host.CallAsync(Mei, "read_file", """{"path": "notes/todo.md"}""")).Ok();
        Assert.Equal("     1|buy tea\n     2|buy rice\n     3|call mum\n", read.Str("content"));
        Assert.Equal(3, read.Int("total_lines"));
        var page = (await host.CallAsync(Mei, "read_file", """{"path": "./notes/todo.md", "offset": 2, "limit": 1}""")).Ok();
        Assert.Equal("     2|buy rice\n", page.Str("content"));
        Assert.Contains("offset=3", page.Str("hint"), StringComparison.Ordinal);
        // Numbers as strings, as some models send them.
        Assert.Equal("     3|call mum\n", (await host.CallAsync(Mei, "read_file", """{"path": "notes/todo.md", "offset": "3"}""")).Ok().Str("content"));

        (await host.CallAsync(Mei, "append_file", """{"path": "notes/todo.md", "content": "buy milk\n"}""")).Ok();
        (await host.CallAsync(Mei, "append_file", """{"path": "logs/new.log", "content": "first"}""")).Ok();
        Assert.Equal("first", File.ReadAllText(host.Workspace("mei", "logs/new.log")));

        var patched = (await host.CallAsync(Mei, "patch", """{"mode": "replace", "path": "notes/todo.md", "old_string": "buy rice", "new_string": "buy jasmine rice"}""")).Ok();
        Assert.Equal(1, patched.Int("replacements"));
        Assert.Equal("buy tea\nbuy jasmine rice\ncall mum\nbuy milk\n", File.ReadAllText(host.Workspace("mei", "notes/todo.md")));

        (await host.CallAsync(Mei, "patch", """{"path": "notes/todo.md", "old_string": "buy", "new_string": "get"}""")).Fails("occurs 3 times", "replace_all");
        (await host.CallAsync(Mei, "patch", """{"path": "notes/todo.md", "old_string": "buy coffee", "new_string": "x"}""")).Fails("could not find old_string", "nothing was changed");
        (await host.CallAsync(Mei, "patch", """{"mode": "patch", "patch": "*** Begin Patch"}""")).Fails("mode='replace'");
        Assert.Equal(3, (await host.CallAsync(Mei, "patch", """{"path": "notes/todo.md", "old_string": "buy", "new_string": "get", "replace_all": true}""")).Ok().Int("replacements"));
        Assert.Equal("get tea\nget jasmine rice\ncall mum\nget milk\n", File.ReadAllText(host.Workspace("mei", "notes/todo.md")));
    }

    [Fact]
    public async Task List_stat_move_and_delete()
    {
        await using var host = new ToolsHost();
        (await host.CallAsync(Mei, "write_file", """{"path": "a/one.txt", "content": "1"}""")).Ok();
        (await host.CallAsync(Mei, "write_file", """{"path": "a/b/two.txt", "content": "22"}""")).Ok();
        File.CreateSymbolicLink(host.Workspace("mei", "a/link"), "one.txt");

        var root = (await host.CallAsync(Mei, "list_files", """{"path": "."}""")).Ok();
        Assert.Equal(["a"], root.GetProperty("entries").EnumerateArray().Select(e => e.Str("path")));
        var a = (await host.CallAsync(Mei, "list_files", """{"path": "a"}""")).Ok().GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal([("a/b", "directory"), ("a/link", "symlink"), ("a/one.txt", "file")], a.Select(e => (e.Str("path"), e.Str("type"))));
        Assert.Equal(1, a[2].Int("size"));

        var link = (await host.CallAsync(Mei, "file_info", """{"path": "a/link"}""")).Ok();
        Assert.Equal(("symlink", "one.txt", "file"), (link.Str("type"), link.Str("link_target"), link.Str("points_to")));
        var two = (await host.CallAsync(Mei, "file_info", """{"path": "a/b/two.txt"}""")).Ok();
        Assert.Equal(("file", 2), (two.Str("type"), two.Int("size")));
        Assert.Equal("directory", (await host.CallAsync(Mei, "file_info", """{"path": "."}""")).Ok().Str("type"));

        (await host.CallAsync(Mei, "move_file", """{"source": "a/one.txt", "destination": "archive/2026/one.txt"}""")).Ok();
        Assert.Equal("1", File.ReadAllText(host.Workspace("mei", "archive/2026/one.txt")));
        (await host.CallAsync(Mei, "move_file", """{"source": "a/b/two.txt", "destination": "archive/2026/one.txt"}""")).Fails("already exists", "overwrite=true");
        Assert.Equal("1", File.ReadAllText(host.Workspace("mei", "archive/2026/one.txt")));
        (await host.CallAsync(Mei, "move_file", """{"source": "a/b/two.txt", "destination": "archive/2026/one.txt", "overwrite": true}""")).Ok();
        Assert.Equal("22", File.ReadAllText(host.Workspace("mei", "archive/2026/one.txt")));
        (await host.CallAsync(Mei, "move_file", """{"source": "a", "destination": "renamed"}""")).Ok();
        Assert.True(Directory.Exists(host.Workspace("mei", "renamed/b")));

        (await host.CallAsync(Mei, "delete_file", """{"path": "renamed/link"}""")).Ok();
        (await host.CallAsync(Mei, "delete_file", """{"path": "archive"}""")).Fails("not empty", "recursive=true");
        Assert.Equal(3, (await host.CallAsync(Mei, "delete_file", """{"path": "archive", "recursive": true}""")).Ok().Int("deleted"));
        Assert.False(Directory.Exists(host.Workspace("mei", "archive")));
        (await host.CallAsync(Mei, "delete_file", """{"path": "."}""")).Fails("never deleted");
        Assert.Equal(2, (await host.CallAsync(Mei, "delete_file", """{"path": ".", "recursive": true}""")).Ok().Int("deleted"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Workspace("mei")));
        (await host.CallAsync(Mei, "delete_file", """{"path": "gone.txt"}""")).Fails("does not exist");
    }

    [Fact]
    public async Task Search_files_by_content_and_by_name()
    {
        await using var host = new ToolsHost();
        (await host.CallAsync(Mei, "write_file", """{"path": "notes/tea.md", "content": "green tea\noolong TEA\nrice\n"}""")).Ok();
        (await host.CallAsync(Mei, "write_file", """{"path": "notes/deep/more.md", "content": "no match\nmatcha tea\n"}""")).Ok();
        (await host.CallAsync(Mei, "write_file", """{"path": "code.py", "content": "tea = 1\n"}""")).Ok();

        var content = (await host.CallAsync(Mei, "search_files", """{"pattern": "tea$", "target": "content", "path": "."}""")).Ok();
        Assert.Equal(["notes/deep/more.md:2:matcha tea", "notes/tea.md:1:green tea"],
            content.GetProperty("matches").EnumerateArray().Select(m => $"{m.Str("path")}:{m.Int("line")}:{m.Str("content")}").Order(StringComparer.Ordinal));
        var markdown = (await host.CallAsync(Mei, "search_files", """{"pattern": "(?i)tea", "file_glob": "*.md", "output_mode": "count"}""")).Ok();
        Assert.Equal(["notes/deep/more.md=1", "notes/tea.md=2"], markdown.GetProperty("counts").EnumerateArray().Select(c => $"{c.Str("path")}={c.Int("count")}").Order(StringComparer.Ordinal));
        var names = (await host.CallAsync(Mei, "search_files", """{"pattern": "*.md", "target": "files"}""")).Ok();
        Assert.Equal(["notes/deep/more.md", "notes/tea.md"], names.GetProperty("files").EnumerateArray().Select(f => f.GetString()).Order(StringComparer.Ordinal));
        var paged = (await host.CallAsync(Mei, "search_files", """{"pattern": "tea", "limit": 1, "path": "notes"}""")).Ok();
        Assert.True(paged.GetProperty("truncated").GetBoolean());
        Assert.Contains("offset=1", paged.Str("hint"), StringComparison.Ordinal);
        (await host.CallAsync(Mei, "search_files", """{"pattern": "(unclosed"}""")).Fails("not a valid regular expression");
    }
}
