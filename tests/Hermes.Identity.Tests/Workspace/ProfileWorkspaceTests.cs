using System.Text;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Tests.Workspace;

// IWorkspace as a tool sees it: bound to the turn's profile, asking the policy before every operation.
public sealed class ProfileWorkspaceTests
{
    private const string Mei = "222";
    private const string Louis = "111";
    private const string Gina = "333";
    private const string NoReader = "444";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Trusted_profile_writes_reads_lists_and_deletes_in_its_own_folder()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        Assert.True(ws.IsConfined);
        await ws.CreateDirectoryAsync("a/b/c", cancellationToken: Ct);
        await ws.WriteAllTextAsync("a/b/c/todo.md", "buy tea", cancellationToken: Ct);
        Assert.Equal("buy tea", await ws.ReadAllTextAsync("a/b/c/todo.md", cancellationToken: Ct));
        Assert.Equal("buy tea", File.ReadAllText(host.Tree.InMei("a/b/c/todo.md")));
        await using (var stream = await ws.OpenReadAsync("a/b/c/todo.md", cancellationToken: Ct))
        {
            Assert.Equal("buy tea", await new StreamReader(stream).ReadToEndAsync(Ct));
        }

        Assert.Equal(["a", "notes"], (await ws.ListAsync(cancellationToken: Ct)).Select(e => e.Name));
        Assert.Equal(7, (await ws.GetInfoAsync("a/b/c/todo.md", cancellationToken: Ct)).Length);
        await ws.DeleteAsync("a/b/c/todo.md", cancellationToken: Ct);
        Assert.False(File.Exists(host.Tree.InMei("a/b/c/todo.md")));
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(Path.Combine(host.Tree.Louis, "notes.txt")));
    }

    [Fact]
    public async Task Create_does_not_replace_an_existing_file()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        await ws.WriteAllTextAsync("new.txt", "first", overwrite: false, cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllTextAsync("new.txt", "second", overwrite: false, cancellationToken: Ct).AsTask());
        Assert.Equal(WorkspaceAccessReason.AlreadyExists, ex.Reason);
        Assert.Equal("first", await ws.ReadAllTextAsync("new.txt", cancellationToken: Ct));
    }

    [Fact]
    public async Task The_same_path_lands_in_each_profiles_own_folder()
    {
        await using var host = NewHost();
        foreach (var (user, text) in new[] { (Mei, "mei's"), (Louis, "louis's") })
        {
            await using var turn = host.BeginTurn(user);
            await turn.Services.GetRequiredService<IWorkspace>().WriteAllTextAsync("same.txt", text, cancellationToken: Ct);
        }

        Assert.Equal("mei's", File.ReadAllText(host.Tree.InMei("same.txt")));
        Assert.Equal("louis's", File.ReadAllText(Path.Combine(host.Tree.Louis, "same.txt")));
    }

    [Fact]
    public async Task Every_operation_asks_the_policy_with_the_action_and_the_path()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        var requests = host.Policy.Requests;
        requests.Clear();

        await ws.CreateDirectoryAsync("d", cancellationToken: Ct);
        await ws.WriteAllTextAsync("d/f.txt", "x", cancellationToken: Ct);
        await ws.ReadAllBytesAsync("d/f.txt", cancellationToken: Ct);
        await (await ws.OpenReadAsync("d/f.txt", cancellationToken: Ct)).DisposeAsync();
        await ws.GetInfoAsync("d/f.txt", cancellationToken: Ct);
        await ws.ListAsync("d", cancellationToken: Ct);
        await ws.ListAsync(cancellationToken: Ct);
        await ws.DeleteAsync("d/f.txt", cancellationToken: Ct);

        Assert.Equal(
            [
                ("workspace.write", "d"), ("workspace.write", "d/f.txt"), ("workspace.read", "d/f.txt"), ("workspace.read", "d/f.txt"),
                ("workspace.read", "d/f.txt"), ("workspace.read", "d"), ("workspace.read", "."), ("workspace.write", "d/f.txt"),
            ],
            requests.Select(r => (r.Action, r.Resource)));
        Assert.All(requests, r => Assert.Equal("mei", r.Subject.Key));
    }

    [Fact]
    public async Task Guest_gets_a_read_only_workspace()
    {
        await using var host = NewHost();
        var gina = Path.Combine(host.Tree.Workspaces, "gina");
        Directory.CreateDirectory(gina);
        File.WriteAllText(Path.Combine(gina, "readme.txt"), "hello guest");
        await using var turn = host.BeginTurn(Gina);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        Assert.Equal("hello guest", await ws.ReadAllTextAsync("readme.txt", cancellationToken: Ct));
        foreach (var write in new Func<ValueTask>[]
        {
            () => ws.WriteAllTextAsync("readme.txt", "defaced", cancellationToken: Ct),
            () => ws.WriteAllTextAsync("new.txt", "x", overwrite: false, cancellationToken: Ct),
            () => ws.DeleteAsync("readme.txt", cancellationToken: Ct),
            () => ws.CreateDirectoryAsync("dir", cancellationToken: Ct),
        })
        {
            var ex = await Assert.ThrowsAsync<AccessDeniedException>(() => write().AsTask());
            Assert.Equal(PolicyActions.WorkspaceWrite, ex.Action);
            Assert.False(ex.Decision.IsAllowed);
            Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["readme.txt"], Directory.EnumerateFileSystemEntries(gina).Select(Path.GetFileName));
        Assert.Equal("hello guest", File.ReadAllText(Path.Combine(gina, "readme.txt")));
    }

    [Fact]
    public async Task Move_append_empty_lstat_and_readlink_ask_the_policy_with_each_path()
    {
        await using var host = NewHost();
        host.Tree.Link("notes/link", "a.txt");
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        var requests = host.Policy.Requests;
        requests.Clear();

        await ws.AppendAllTextAsync("notes/a.txt", "+1", cancellationToken: Ct);
        await ws.MoveAsync("notes/a.txt", "b.txt", cancellationToken: Ct);
        Assert.Equal(WorkspaceEntryKind.SymbolicLink, (await ws.GetLinkInfoAsync("notes/link", cancellationToken: Ct)).Kind);
        Assert.Equal("a.txt", await ws.ReadLinkAsync("notes/link", cancellationToken: Ct));
        Assert.Equal(1, await ws.DeleteContentsAsync("notes", cancellationToken: Ct));
        Assert.Equal(2, await ws.DeleteContentsAsync(cancellationToken: Ct));

        Assert.Equal(
            [
                ("workspace.write", "notes/a.txt"), ("workspace.write", "notes/a.txt"), ("workspace.write", "b.txt"),
                ("workspace.read", "notes/link"), ("workspace.read", "notes/link"), ("workspace.write", "notes"), ("workspace.write", "."),
            ],
            requests.Select(r => (r.Action, r.Resource)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Tree.Mei));
    }

    [Fact]
    public async Task Guest_cannot_move_append_or_empty_but_can_lstat_and_readlink()
    {
        await using var host = NewHost();
        var gina = Path.Combine(host.Tree.Workspaces, "gina");
        Directory.CreateDirectory(Path.Combine(gina, "d"));
        File.WriteAllText(Path.Combine(gina, "d", "readme.txt"), "hello guest");
        File.CreateSymbolicLink(Path.Combine(gina, "link"), "d/readme.txt");
        await using var turn = host.BeginTurn(Gina);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        foreach (var write in new Func<ValueTask>[]
        {
            () => ws.AppendAllTextAsync("d/readme.txt", "defaced", cancellationToken: Ct),
            () => ws.MoveAsync("d/readme.txt", "moved.txt", cancellationToken: Ct),
            async () => await ws.DeleteContentsAsync("d", cancellationToken: Ct),
            async () => await ws.DeleteContentsAsync(cancellationToken: Ct),
        })
        {
            var ex = await Assert.ThrowsAsync<AccessDeniedException>(() => write().AsTask());
            Assert.Equal(PolicyActions.WorkspaceWrite, ex.Action);
        }

        Assert.Equal(WorkspaceEntryKind.SymbolicLink, (await ws.GetLinkInfoAsync("link", cancellationToken: Ct)).Kind);
        Assert.Equal("d/readme.txt", await ws.ReadLinkAsync("link", cancellationToken: Ct));
        Assert.Equal("hello guest", File.ReadAllText(Path.Combine(gina, "d", "readme.txt")));
    }

    [Fact]
    public async Task Append_past_the_size_limit_adds_nothing()
    {
        await using var host = NewHost(o => o.MaxFileBytes = 10);
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        await ws.AppendAllTextAsync("log.txt", "12345", cancellationToken: Ct);
        await ws.AppendAllTextAsync("log.txt", "67890", cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.AppendAllTextAsync("log.txt", "1", cancellationToken: Ct).AsTask());
        Assert.Equal(WorkspaceAccessReason.TooLarge, ex.Reason);
        Assert.Contains("nothing was added", ex.Message, StringComparison.Ordinal);
        Assert.Equal("1234567890", File.ReadAllText(host.Tree.InMei("log.txt")));
    }

    [Fact]
    public async Task Move_and_emptying_in_a_symlinked_folder_of_another_profile_are_refused_through_the_api()
    {
        await using var host = NewHost();
        host.Tree.Link("louisdir", "../louis");
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        var before = host.Tree.OutsideFiles();

        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.MoveAsync("louisdir/notes.txt", "mine.txt", cancellationToken: Ct).AsTask());
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.MoveAsync("notes/a.txt", "louisdir/planted.txt", cancellationToken: Ct).AsTask());
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.DeleteContentsAsync("louisdir", cancellationToken: Ct).AsTask());
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.DeleteContentsAsync("../louis", cancellationToken: Ct).AsTask());
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.AppendAllTextAsync("louisdir/notes.txt", "pwned", cancellationToken: Ct).AsTask());
        Assert.Equal(before, host.Tree.OutsideFiles());
    }

    [Fact]
    public async Task Read_denied_by_the_policy_is_refused_before_the_file_system()
    {
        await using var host = NewHost();
        var folder = Path.Combine(host.Tree.Workspaces, "noreader");
        await using var turn = host.BeginTurn(NoReader);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        var ex = await Assert.ThrowsAsync<AccessDeniedException>(() => ws.ReadAllTextAsync("x.txt", cancellationToken: Ct).AsTask());
        Assert.Equal(PolicyActions.WorkspaceRead, ex.Action);
        await Assert.ThrowsAsync<AccessDeniedException>(() => ws.ListAsync(cancellationToken: Ct).AsTask());
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Escapes_through_the_workspace_api_are_refused()
    {
        await using var host = NewHost();
        host.Tree.Link("louisdir", "../louis");
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        var before = host.Tree.OutsideFiles();

        foreach (var path in new[] { "../secret.txt", "../mei-evil/x", "louisdir/notes.txt", "notes/../../louis/notes.txt" })
        {
            var read = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(path, cancellationToken: Ct).AsTask());
            Assert.True(read.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink, read.Message);
            Assert.DoesNotContain(host.Tree.Root, read.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllTextAsync(path, "pwned", cancellationToken: Ct).AsTask());
        }

        foreach (var path in new[] { "/etc/hostname", "a\0b", "", ".", "..\\x", "a:b", new string('p', 5000) })
        {
            var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(path, cancellationToken: Ct).AsTask());
            Assert.True(ex.Reason is WorkspaceAccessReason.InvalidPath or WorkspaceAccessReason.PathTooLong, ex.Message);
        }

        Assert.Equal(before, host.Tree.OutsideFiles());
    }

    [Fact]
    public async Task Malformed_paths_are_rejected_before_the_policy_sees_them()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        host.Policy.Requests.Clear();
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("a\0b", cancellationToken: Ct).AsTask());
        await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllTextAsync("/etc/passwd", "x", cancellationToken: Ct).AsTask());
        Assert.Empty(host.Policy.Requests);
    }

    [Fact]
    public async Task Owner_workspace_is_unrestricted_but_still_validated()
    {
        await using var host = NewHost();
        await using var turn = host.BeginTurn(Louis);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        Assert.False(ws.IsConfined);
        Assert.Equal(WorkspaceTree.OutsideText, await ws.ReadAllTextAsync("../secret.txt", cancellationToken: Ct));
        Assert.Equal(WorkspaceTree.OutsideText, await ws.ReadAllTextAsync(Path.Combine(host.Tree.Root, "secret.txt"), cancellationToken: Ct));
        await ws.WriteAllTextAsync("own.txt", "relative paths start in workspaces/louis", cancellationToken: Ct);
        Assert.True(File.Exists(Path.Combine(host.Tree.Louis, "own.txt")));

        Assert.Equal(WorkspaceAccessReason.InvalidPath, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("a\0b", cancellationToken: Ct).AsTask())).Reason);
        Assert.Equal(WorkspaceAccessReason.InvalidPath, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(".", cancellationToken: Ct).AsTask())).Reason);
        Assert.Equal(WorkspaceAccessReason.PathTooLong, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(new string('p', 5000), cancellationToken: Ct).AsTask())).Reason);
        if (WorkspaceTree.Run("mkfifo", Path.Combine(host.Tree.Louis, "fifo")))
        {
            Assert.Equal(WorkspaceAccessReason.NotARegularFile, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("fifo", cancellationToken: Ct).AsTask())).Reason);
        }
    }

    [Fact]
    public async Task An_unrestricted_owner_moves_and_empties_folders_outside_but_never_the_file_system_root()
    {
        await using var host = NewHost();
        var outside = Path.Combine(host.Tree.Root, "owner-scratch");
        Directory.CreateDirectory(Path.Combine(outside, "sub"));
        File.WriteAllText(Path.Combine(outside, "sub", "f.txt"), "x");
        await using var turn = host.BeginTurn(Louis);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        await ws.MoveAsync(Path.Combine(outside, "sub", "f.txt"), Path.Combine(outside, "g.txt"), cancellationToken: Ct);
        Assert.True(File.Exists(Path.Combine(outside, "g.txt")));
        Assert.Equal(2, await ws.DeleteContentsAsync(outside, cancellationToken: Ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        // Only spellings refused before anything is opened: a test must never risk emptying '/' for real.
        foreach (var root in new[] { "/", "//", "///" })
        {
            var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.DeleteContentsAsync(root, cancellationToken: Ct).AsTask());
            Assert.Equal(WorkspaceAccessReason.InvalidPath, ex.Reason);
        }
    }

    [Fact]
    public async Task An_owner_role_configured_as_confined_is_confined()
    {
        await using var host = NewHost(roles: """
            roles:
              owner:
                allow: ["*"]
                workspace: confined
            """);
        await using var turn = host.BeginTurn(Louis);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        Assert.True(ws.IsConfined);
        var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("../secret.txt", cancellationToken: Ct).AsTask());
        Assert.Equal(WorkspaceAccessReason.OutsideWorkspace, ex.Reason);
        Assert.Equal(WorkspaceAccessReason.InvalidPath, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync(Path.Combine(host.Tree.Root, "secret.txt"), cancellationToken: Ct).AsTask())).Reason);
    }

    [Fact]
    public async Task Sizes_are_capped_on_read_and_write()
    {
        await using var host = NewHost(o => o.MaxFileBytes = 10);
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        await ws.WriteAllBytesAsync("ten.bin", new byte[10], cancellationToken: Ct);
        Assert.Equal(10, (await ws.ReadAllBytesAsync("ten.bin", cancellationToken: Ct)).Length);
        var write = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllBytesAsync("eleven.bin", new byte[11], cancellationToken: Ct).AsTask());
        Assert.Equal(WorkspaceAccessReason.TooLarge, write.Reason);
        Assert.False(File.Exists(host.Tree.InMei("eleven.bin")));

        File.WriteAllBytes(host.Tree.InMei("big.bin"), new byte[11]);
        Assert.Equal(WorkspaceAccessReason.TooLarge, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllBytesAsync("big.bin", cancellationToken: Ct).AsTask())).Reason);
        Assert.Equal(WorkspaceAccessReason.TooLarge, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.OpenReadAsync("big.bin", cancellationToken: Ct).AsTask())).Reason);
    }

    [Fact]
    public async Task A_file_that_grows_past_the_limit_after_it_was_opened_is_still_capped()
    {
        await using var host = NewHost(o => o.MaxFileBytes = 10);
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        var file = host.Tree.InMei("grow.bin");
        File.WriteAllBytes(file, [1, 2, 3]);

        await using var stream = await ws.OpenReadAsync("grow.bin", cancellationToken: Ct);
        var buffer = new byte[2];
        Assert.Equal(2, await stream.ReadAsync(buffer, Ct));
        Assert.Equal(2, stream.Position);
        File.WriteAllBytes(file, new byte[64]);
        var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => stream.CopyToAsync(Stream.Null, Ct));
        Assert.Equal(WorkspaceAccessReason.TooLarge, ex.Reason);

        stream.Position = 0;
        Assert.Equal(10, stream.Read(new byte[10], 0, 10));
        Assert.Throws<WorkspaceAccessException>(() => stream.ReadByte());
    }

    [Fact]
    public async Task Invalid_limits_fail_at_start()
    {
        await using var host = NewHost(o => o.MaxFileBytes = 0);
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<WorkspaceOptions>>().Value);
        Assert.Contains("MaxFileBytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openat_walk_serves_the_workspace_when_forced()
    {
        await using var host = NewHost(o => o.ForceOpenatWalk = true);
        host.Tree.Link("abs", Path.Combine(host.Tree.Workspaces, "secret.txt"));
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();
        await ws.WriteAllTextAsync("notes/w.txt", "walked", cancellationToken: Ct);
        Assert.Equal("walked", Encoding.UTF8.GetString(await ws.ReadAllBytesAsync("notes/w.txt", cancellationToken: Ct)));
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, (await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("abs", cancellationToken: Ct).AsTask())).Reason);
    }

    [Fact]
    public async Task Workspace_cannot_be_used_after_its_turn_ends()
    {
        await using var host = NewHost();
        IWorkspace ws;
        await using (var turn = host.BeginTurn(Mei))
        {
            ws = turn.Services.GetRequiredService<IWorkspace>();
            await ws.ReadAllTextAsync("notes/a.txt", cancellationToken: Ct);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => ws.ReadAllTextAsync("notes/a.txt", cancellationToken: Ct).AsTask());
    }

    [Fact]
    public async Task Workspace_is_not_available_outside_a_turn()
    {
        await using var host = NewHost();
        using var scope = host.Services.CreateScope();
        Assert.Throws<NoActiveTurnException>(() => scope.ServiceProvider.GetRequiredService<IWorkspace>());
    }

    private static WorkspaceHost NewHost(Action<WorkspaceOptions>? configure = null, string? roles = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("These tests pin the Linux behaviour.");
        }

        return new WorkspaceHost(configure, roles);
    }
}
