using Hermes.Identity.Workspace;

namespace Hermes.Identity.Tests.Workspace;

// SECURITY.md §2 against the kernel layer, once through openat2 and once through the openat(O_NOFOLLOW)
// walk that replaces it where openat2 is missing: every case must be refused by both, and not one byte
// of an outside file may come back or change.
public sealed class ConfinedFileSystemTests : IDisposable
{
    private readonly WorkspaceTree _tree = new();

    public static TheoryData<string> Mechanisms => ["openat2", "walk"];

    // The portable version (Windows, macOS) is checked here too, where its check-then-open is not raced.
    public static TheoryData<string> AllMechanisms => ["openat2", "walk", "portable"];

    public void Dispose() => _tree.Dispose();

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Files_inside_the_workspace_are_read_and_written(string mechanism)
    {
        using var fs = Open(mechanism);
        Assert.Equal("inside", WorkspaceTree.Read(fs, "notes/a.txt"));
        Assert.Equal("inside", WorkspaceTree.Read(fs, "./notes//a.txt"));
        WorkspaceTree.Write(fs, "notes/b.txt", "hello");
        Assert.Equal("hello", File.ReadAllText(_tree.InMei("notes/b.txt")));
        WorkspaceTree.Write(fs, "notes/b.txt", "hi");
        Assert.Equal("hi", File.ReadAllText(_tree.InMei("notes/b.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Dot_dot_out_of_the_workspace_is_denied(string mechanism)
    {
        using var fs = Open(mechanism);
        AssertEscapeRefused(fs, "../secret.txt");
        AssertEscapeRefused(fs, "notes/../../secret.txt");
        AssertEscapeRefused(fs, "notes//../../x");
        AssertEscapeRefused(fs, "../../secret.txt");
        AssertEscapeRefused(fs, "../louis/notes.txt");
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Sibling_prefix_path_is_denied(string mechanism)
    {
        // CVE-2025-53110: "workspaces/mei-evil" starts with "workspaces/mei", so a prefix check lets it through.
        using var fs = Open(mechanism);
        AssertEscapeRefused(fs, "../mei-evil/x");
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Rooted_path_is_rejected_not_re_rooted(string mechanism)
    {
        using var fs = Open(mechanism);
        Directory.CreateDirectory(_tree.InMei("etc"));
        File.WriteAllText(_tree.InMei("etc/hostname"), "re-rooted");
        var ex = Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "/etc/hostname"));
        Assert.Equal(WorkspaceAccessReason.InvalidPath, ex.Reason);
        Assert.Contains("absolute", ex.Message, StringComparison.Ordinal);
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, Path.Combine(_tree.Workspaces, "secret.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Symlink_to_an_absolute_outside_path_is_denied_on_read_and_write(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("abs", Path.Combine(_tree.Workspaces, "secret.txt"));
        AssertEscapeRefused(fs, "abs");
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Symlink_to_dot_dot_secret_is_denied_on_read_and_write(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("up", "../secret.txt");
        AssertEscapeRefused(fs, "up");
        _tree.Link("notes/up2", "../../secret.txt");
        AssertEscapeRefused(fs, "notes/up2");
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Symlinked_directory_to_another_profile_is_denied_on_read_and_write(string mechanism)
    {
        using var fs = Open(mechanism);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        AssertEscapeRefused(fs, "louisdir/notes.txt");
        var before = _tree.OutsideFiles();
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "louisdir/new.txt", "x", WorkspaceFileMode.CreateNew));
        Assert.Throws<WorkspaceAccessException>(() => fs.CreateDirectory("louisdir/sub"));
        Assert.Throws<WorkspaceAccessException>(() => fs.Delete("louisdir/notes.txt"));
        Assert.Throws<WorkspaceAccessException>(() => fs.List("louisdir", 100));
        Assert.Throws<WorkspaceAccessException>(() => fs.GetInfo("louisdir/notes.txt"));
        Assert.Equal(before, _tree.OutsideFiles());
        Assert.False(File.Exists(Path.Combine(_tree.Louis, "new.txt")));
        Assert.False(Directory.Exists(Path.Combine(_tree.Louis, "sub")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Dangling_symlink_then_create_creates_nothing_outside(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("dangle", "../created-outside.txt");
        _tree.Link("dangle-abs", Path.Combine(_tree.Root, "created-abs.txt"));
        foreach (var mode in new[] { WorkspaceFileMode.CreateNew, WorkspaceFileMode.CreateOrTruncate })
        {
            Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "dangle", "x", mode));
            Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "dangle-abs", "x", mode));
        }

        Assert.False(File.Exists(Path.Combine(_tree.Workspaces, "created-outside.txt")));
        Assert.False(File.Exists(Path.Combine(_tree.Root, "created-abs.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Symlink_to_proc_self_root_is_denied(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("proc", "/proc/self/root");
        AssertEscapeRefused(fs, "proc" + Path.Combine(_tree.Workspaces, "secret.txt"));
        Assert.Throws<WorkspaceAccessException>(() => fs.List("proc", 100));
        Assert.Throws<WorkspaceAccessException>(() => fs.GetInfo("proc/etc/hostname"));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Symlink_loop_is_a_clear_error(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("loop1", "loop2");
        _tree.Link("loop2", "loop1");
        var ex = Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "loop1"));
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, ex.Reason);
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "loop1/x", "x"));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Hard_link_to_an_outside_file_is_not_served(string mechanism)
    {
        using var fs = Open(mechanism);
        if (!WorkspaceTree.Run("ln", Path.Combine(_tree.Workspaces, "secret.txt"), _tree.InMei("hard")))
        {
            Assert.Skip("ln could not make a hard link here.");
        }

        var ex = AssertEscapeRefused(fs, "hard");
        Assert.Equal(WorkspaceAccessReason.OutsideWorkspace, ex.Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Malformed_paths_are_clear_errors(string mechanism)
    {
        using var fs = Open(mechanism);
        AssertInvalid(fs, "a\0b", WorkspaceAccessReason.InvalidPath, "NUL");
        AssertInvalid(fs, "", WorkspaceAccessReason.InvalidPath, "empty");
        AssertInvalid(fs, ".", WorkspaceAccessReason.InvalidPath, "root itself");
        AssertInvalid(fs, "./", WorkspaceAccessReason.InvalidPath, "root itself");
        AssertInvalid(fs, "..\\x", WorkspaceAccessReason.InvalidPath, "'\\'");
        AssertInvalid(fs, "a:b", WorkspaceAccessReason.InvalidPath, "':'");
        AssertInvalid(fs, "a\nb", WorkspaceAccessReason.InvalidPath, "control character");
        AssertInvalid(fs, new string('a', 5000), WorkspaceAccessReason.PathTooLong, "5,000 bytes");
        AssertInvalid(fs, string.Join('/', Enumerable.Repeat("abcd", 1250)), WorkspaceAccessReason.PathTooLong, "6,249 bytes");
        AssertInvalid(fs, new string('n', 256) + "/x", WorkspaceAccessReason.PathTooLong, "255 bytes");
        Assert.Equal([_tree.InMei("notes")], Directory.EnumerateFileSystemEntries(_tree.Mei));
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Fifo_is_not_served_and_does_not_hang(string mechanism)
    {
        using var fs = Open(mechanism);
        if (!WorkspaceTree.Run("mkfifo", _tree.InMei("fifo")))
        {
            Assert.Skip("mkfifo is not available here.");
        }

        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "fifo")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "fifo", "x")).Reason);
        Assert.Equal(WorkspaceEntryKind.Other, fs.GetInfo("fifo").Kind);
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public void Device_node_is_not_served(string mechanism)
    {
        using var fs = Open(mechanism);
        if (!WorkspaceTree.Run("mknod", _tree.InMei("zero"), "c", "1", "5"))
        {
            Assert.Skip("mknod needs CAP_MKNOD, which this run does not have.");
        }

        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "zero")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "zero", "x")).Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Directory_is_not_opened_as_a_file(string mechanism)
    {
        using var fs = Open(mechanism);
        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "notes")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "notes", "x")).Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void List_stat_mkdir_and_delete_work_inside(string mechanism)
    {
        using var fs = Open(mechanism);
        fs.CreateDirectory("a/b/c");
        fs.CreateDirectory("a/b/c");
        WorkspaceTree.Write(fs, "a/b/c/file.txt", "12345");
        _tree.Link("a/link", "../notes");

        var root = fs.List(null, 100);
        Assert.Equal(["a", "notes"], root.Select(e => e.Path));
        Assert.All(root, e => Assert.Equal(WorkspaceEntryKind.Directory, e.Kind));
        var a = fs.List("a", 100);
        Assert.Equal([("a/b", WorkspaceEntryKind.Directory), ("a/link", WorkspaceEntryKind.SymbolicLink)], a.Select(e => (e.Path, e.Kind)));

        var info = fs.GetInfo("a/b/c/file.txt");
        Assert.Equal((WorkspaceEntryKind.File, 5L, "file.txt"), (info.Kind, info.Length, info.Name));
        Assert.Equal(WorkspaceEntryKind.Directory, fs.GetInfo("a/b").Kind);

        Assert.Equal(WorkspaceAccessReason.DirectoryNotEmpty, Assert.Throws<WorkspaceAccessException>(() => fs.Delete("a/b/c")).Reason);
        fs.Delete("a/b/c/file.txt");
        fs.Delete("a/b/c");
        Assert.False(Directory.Exists(_tree.InMei("a/b/c")));
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.Delete("a/b/c")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.GetInfo("nope")).Reason);
        Assert.Equal(WorkspaceAccessReason.AlreadyExists, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "notes/a.txt", "x", WorkspaceFileMode.CreateNew)).Reason);
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));
        Assert.Equal(WorkspaceAccessReason.NotADirectory, Assert.Throws<WorkspaceAccessException>(() => fs.CreateDirectory("notes/a.txt/sub")).Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Deleting_a_symlink_removes_the_link_never_its_target(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("abs", Path.Combine(_tree.Workspaces, "secret.txt"));
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        fs.Delete("abs");
        fs.Delete("louisdir");
        Assert.False(Path.Exists(_tree.InMei("abs")));
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(Path.Combine(_tree.Workspaces, "secret.txt")));
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(Path.Combine(_tree.Louis, "notes.txt")));
    }

    [Fact]
    public void Listing_more_entries_than_the_limit_is_refused()
    {
        using var fs = Open("openat2");
        for (var i = 0; i < 5; i++)
        {
            File.WriteAllText(_tree.InMei($"f{i}"), "x");
        }

        Assert.Equal(6, fs.List(null, 6).Count);
        Assert.Equal(WorkspaceAccessReason.TooLarge, Assert.Throws<WorkspaceAccessException>(() => fs.List(null, 5)).Reason);
    }

    [Fact]
    public void Openat2_follows_a_symlink_that_stays_inside_and_the_walk_refuses_it()
    {
        _tree.Link("inner", "notes/a.txt");
        Directory.CreateSymbolicLink(_tree.InMei("notes2"), "notes");
        using (var beneath = Open("openat2"))
        {
            Assert.Equal("inside", WorkspaceTree.Read(beneath, "inner"));
            Assert.Equal("inside", WorkspaceTree.Read(beneath, "notes2/a.txt"));
            Assert.Equal("inside", WorkspaceTree.Read(beneath, "notes/../notes/a.txt"));
        }

        using var walk = Open("walk");
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(walk, "inner")).Reason);
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(walk, "notes2/a.txt")).Reason);
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, Assert.Throws<WorkspaceAccessException>(() => walk.GetInfo("inner")).Reason);
        Assert.Equal(WorkspaceAccessReason.OutsideWorkspace, Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(walk, "notes/../notes/a.txt")).Reason);
    }

    [Fact]
    public void Workspace_folder_is_created_owner_only_and_must_not_be_a_symlink()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Linux only.");
            return;
        }

        var fresh = Path.Combine(_tree.Workspaces, "new-profile");
        using (WorkspaceFileSystem.Open(fresh, confined: true))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fresh));
        }

        var linked = Path.Combine(_tree.Workspaces, "linked");
        Directory.CreateSymbolicLink(linked, "louis");
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceFileSystem.Open(linked, confined: true));
    }

    private WorkspaceAccessException AssertEscapeRefused(WorkspaceFileSystem fs, string path)
    {
        var tree = _tree.Root;
        var ex = Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, path));
        Assert.True(ex.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink, $"{path}: {ex.Reason} {ex.Message}");
        if (!path.Contains(tree, StringComparison.Ordinal))
        {
            Assert.DoesNotContain(tree, ex.Message, StringComparison.Ordinal);
        }

        var write = Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, path, "overwritten"));
        Assert.True(write.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink, $"{path}: {write.Reason} {write.Message}");
        Assert.Throws<WorkspaceAccessException>(() => fs.GetInfo(path));
        foreach (var outside in Directory.EnumerateFiles(tree, "*", SearchOption.TopDirectoryOnly)
            .Concat(Directory.EnumerateFiles(Path.Combine(tree, "workspaces"), "*", SearchOption.TopDirectoryOnly)))
        {
            Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(outside));
        }

        return ex;
    }

    private static void AssertInvalid(WorkspaceFileSystem fs, string path, WorkspaceAccessReason reason, string messagePart)
    {
        foreach (var action in new Action[]
        {
            () => WorkspaceTree.Read(fs, path),
            () => WorkspaceTree.Write(fs, path, "x"),
            () => fs.GetInfo(path),
            () => fs.List(path, 10),
            () => fs.Delete(path),
            () => fs.CreateDirectory(path),
        })
        {
            var ex = Assert.Throws<WorkspaceAccessException>(action);
            Assert.Equal(reason, ex.Reason);
            Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
            Assert.True(ex.Message.Length < 400, ex.Message);
        }
    }

    private WorkspaceFileSystem Open(string mechanism)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("The kernel-confined workspace is Linux only.");
        }

        if (mechanism == "portable")
        {
            return PortableWorkspaceFileSystem.Open(_tree.Mei, confined: true);
        }

        if (mechanism == "openat2" && !LinuxWorkspaceFileSystem.Openat2Works)
        {
            Assert.Skip("openat2 is not available on this kernel or is blocked here.");
        }

        return LinuxWorkspaceFileSystem.Open(_tree.Mei, mechanism == "openat2" ? LinuxResolveMode.Openat2Beneath : LinuxResolveMode.OpenatWalk);
    }
}
