using Hermes.Identity.Workspace;

namespace Hermes.Identity.Tests.Workspace;

// Move, append, emptying a folder, lstat and readlink against the kernel layer, once per mechanism (openat2, the
// openat walk, and the portable version where its check-then-act is not raced): every escape refused, not one byte of an
// outside file read, changed, moved or deleted.
public sealed class WorkspaceEditTests : IDisposable
{
    private readonly WorkspaceTree _tree = new();

    public static TheoryData<string> AllMechanisms => ["openat2", "walk", "portable"];

    public static TheoryData<string> KernelMechanisms => ["openat2", "walk"];

    public void Dispose() => _tree.Dispose();

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Files_and_folders_move_and_rename_inside(string mechanism)
    {
        using var fs = Open(mechanism);
        fs.Move("notes/a.txt", "a-renamed.txt", overwrite: false);
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("a-renamed.txt")));
        Assert.False(File.Exists(_tree.InMei("notes/a.txt")));

        fs.CreateDirectory("dest");
        fs.Move("notes", "dest/notes-moved", overwrite: false);
        Assert.True(Directory.Exists(_tree.InMei("dest/notes-moved")));
        Assert.False(Directory.Exists(_tree.InMei("notes")));

        fs.Move("a-renamed.txt", "dest/notes-moved/back.txt", overwrite: false);
        Assert.Equal("inside", WorkspaceTree.Read(fs, "dest/notes-moved/back.txt"));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Move_does_not_replace_unless_asked(string mechanism)
    {
        using var fs = Open(mechanism);
        WorkspaceTree.Write(fs, "b.txt", "b");
        var ex = Assert.Throws<WorkspaceAccessException>(() => fs.Move("notes/a.txt", "b.txt", overwrite: false));
        Assert.Equal(WorkspaceAccessReason.AlreadyExists, ex.Reason);
        Assert.Contains("'b.txt'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("b", File.ReadAllText(_tree.InMei("b.txt")));
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));

        fs.Move("notes/a.txt", "b.txt", overwrite: true);
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("b.txt")));
        Assert.False(File.Exists(_tree.InMei("notes/a.txt")));

        fs.CreateDirectory("full");
        WorkspaceTree.Write(fs, "full/x", "x");
        Assert.Equal(WorkspaceAccessReason.DirectoryNotEmpty, Assert.Throws<WorkspaceAccessException>(() => fs.Move("notes", "full", overwrite: true)).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.Move("missing", "m2", overwrite: false)).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.Move("b.txt", "no-such-folder/b.txt", overwrite: false)).Reason);
        Assert.Equal(WorkspaceAccessReason.InvalidPath, Assert.Throws<WorkspaceAccessException>(() => fs.Move("notes", "notes/inner", overwrite: false)).Reason);
        Assert.True(Directory.Exists(_tree.InMei("notes")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Move_never_takes_a_file_in_or_out_of_the_workspace(string mechanism)
    {
        using var fs = Open(mechanism);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        var before = _tree.OutsideFiles();

        foreach (var (source, destination) in new[]
        {
            ("notes/a.txt", "../stolen.txt"),
            ("notes/a.txt", "notes/../../stolen.txt"),
            ("notes/a.txt", "../louis/planted.txt"),
            ("notes/a.txt", "../mei-evil/planted.txt"),
            ("notes/a.txt", "louisdir/planted.txt"),
            ("../secret.txt", "taken.txt"),
            ("../louis/notes.txt", "taken.txt"),
            ("louisdir/notes.txt", "taken.txt"),
            ("notes/a.txt", "/tmp/planted.txt"),
            ("/etc/hostname", "taken.txt"),
        })
        {
            var ex = Assert.Throws<WorkspaceAccessException>(() => fs.Move(source, destination, overwrite: true));
            Assert.True(ex.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.InvalidPath, $"{source} -> {destination}: {ex.Reason} {ex.Message}");
            Assert.DoesNotContain(_tree.Root, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, _tree.OutsideFiles());
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));
        Assert.False(File.Exists(_tree.InMei("taken.txt")));
    }

    [Theory]
    [MemberData(nameof(KernelMechanisms))]
    public void Moving_a_link_moves_the_link_never_its_target(string mechanism)
    {
        using var fs = Open(mechanism);
        var secret = Path.Combine(_tree.Workspaces, "secret.txt");
        _tree.Link("abs", secret);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        fs.Move("abs", "notes/abs-moved", overwrite: false);
        fs.Move("louisdir", "notes/louis-moved", overwrite: false);

        Assert.Equal(secret, new FileInfo(_tree.InMei("notes/abs-moved")).LinkTarget);
        Assert.Equal("../louis", new FileInfo(_tree.InMei("notes/louis-moved")).LinkTarget);
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(secret));
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(Path.Combine(_tree.Louis, "notes.txt")));
        // Still refused where it now is.
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "notes/abs-moved"));
        Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Read(fs, "notes/louis-moved/notes.txt"));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Append_adds_at_the_end_and_creates_a_missing_file(string mechanism)
    {
        using var fs = Open(mechanism);
        Append(fs, "notes/a.txt", " and more");
        Assert.Equal("inside and more", File.ReadAllText(_tree.InMei("notes/a.txt")));
        Append(fs, "notes/new.txt", "first");
        Append(fs, "notes/new.txt", "|second");
        Assert.Equal("first|second", File.ReadAllText(_tree.InMei("notes/new.txt")));
        Assert.Equal(WorkspaceAccessReason.NotARegularFile, Assert.Throws<WorkspaceAccessException>(() => Append(fs, "notes", "x")).Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Append_never_reaches_a_file_outside(string mechanism)
    {
        using var fs = Open(mechanism);
        _tree.Link("abs", Path.Combine(_tree.Workspaces, "secret.txt"));
        _tree.Link("up", "../secret.txt");
        _tree.Link("dangle", "../appended-outside.txt");
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        var before = _tree.OutsideFiles();
        foreach (var path in new[] { "../secret.txt", "abs", "up", "dangle", "louisdir/notes.txt", "louisdir/new.txt", "../mei-evil/x", "/tmp/appended" })
        {
            var ex = Assert.Throws<WorkspaceAccessException>(() => Append(fs, path, "pwned"));
            Assert.True(ex.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.InvalidPath, $"{path}: {ex.Reason} {ex.Message}");
        }

        Assert.Equal(before, _tree.OutsideFiles());
        Assert.False(File.Exists(Path.Combine(_tree.Workspaces, "appended-outside.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Emptying_a_folder_deletes_everything_inside_and_only_links_of_what_points_out(string mechanism)
    {
        using var fs = Open(mechanism);
        fs.CreateDirectory("a/b/c/d");
        WorkspaceTree.Write(fs, "a/one.txt", "1");
        WorkspaceTree.Write(fs, "a/b/c/d/deep.txt", "4");
        _tree.Link("a/b/to-louis", "../../../louis");          // a link to another person's folder
        _tree.Link("a/b/c/to-secret", Path.Combine(_tree.Workspaces, "secret.txt"));
        _tree.Link("a/to-notes", "../notes");                  // a link that stays inside: its target stays too
        var before = _tree.OutsideFiles();

        Assert.Equal(8, fs.DeleteContents("a", CancellationToken.None));
        Assert.True(Directory.Exists(_tree.InMei("a")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tree.InMei("a")));
        Assert.Equal(before, _tree.OutsideFiles());
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));

        Assert.Equal(0, fs.DeleteContents("a", CancellationToken.None));
        Assert.Equal(WorkspaceAccessReason.NotADirectory, Assert.Throws<WorkspaceAccessException>(() => fs.DeleteContents("notes/a.txt", CancellationToken.None)).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.DeleteContents("missing", CancellationToken.None)).Reason);

        // The whole workspace: null is the root, which stays.
        Assert.Equal(3, fs.DeleteContents(null, CancellationToken.None));
        Assert.True(Directory.Exists(_tree.Mei));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tree.Mei));
        Assert.Equal(before, _tree.OutsideFiles());
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void A_folder_outside_or_named_through_a_link_is_never_emptied(string mechanism)
    {
        using var fs = Open(mechanism);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        _tree.Link("proc", "/proc/self/root");
        Directory.CreateSymbolicLink(_tree.InMei("notes-link"), "notes");
        var before = _tree.OutsideFiles();
        foreach (var path in new[] { "louisdir", "louisdir/", "../louis", "notes/../../louis", "../mei-evil", "..", "proc", "proc/tmp", "notes-link", "/tmp" })
        {
            var ex = Assert.Throws<WorkspaceAccessException>(() => fs.DeleteContents(path, CancellationToken.None));
            Assert.True(ex.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.InvalidPath or WorkspaceAccessReason.NotADirectory, $"{path}: {ex.Reason} {ex.Message}");
            Assert.DoesNotContain(_tree.Root, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, _tree.OutsideFiles());
        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Lstat_describes_a_link_as_a_link_and_readlink_returns_its_text(string mechanism)
    {
        using var fs = Open(mechanism);
        var secret = Path.Combine(_tree.Workspaces, "secret.txt");
        _tree.Link("abs", secret);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        _tree.Link("notes/inner", "a.txt");

        Assert.Equal(WorkspaceEntryKind.SymbolicLink, fs.GetLinkInfo("abs").Kind);
        Assert.Equal(WorkspaceEntryKind.SymbolicLink, fs.GetLinkInfo("louisdir").Kind);
        Assert.Equal(WorkspaceEntryKind.SymbolicLink, fs.GetLinkInfo("notes/inner").Kind);
        var file = fs.GetLinkInfo("notes/a.txt");
        Assert.Equal((WorkspaceEntryKind.File, 6L, "notes/a.txt"), (file.Kind, file.Length, file.Path));
        Assert.Equal(WorkspaceEntryKind.Directory, fs.GetLinkInfo("notes").Kind);

        Assert.Equal(secret, fs.ReadLink("abs"));
        Assert.Equal("../louis", fs.ReadLink("louisdir"));
        Assert.Equal("a.txt", fs.ReadLink("notes/inner"));
        Assert.Equal(WorkspaceAccessReason.NotASymbolicLink, Assert.Throws<WorkspaceAccessException>(() => fs.ReadLink("notes/a.txt")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotASymbolicLink, Assert.Throws<WorkspaceAccessException>(() => fs.ReadLink("notes")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.ReadLink("missing")).Reason);
        Assert.Equal(WorkspaceAccessReason.NotFound, Assert.Throws<WorkspaceAccessException>(() => fs.GetLinkInfo("missing")).Reason);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Lstat_and_readlink_never_look_outside(string mechanism)
    {
        using var fs = Open(mechanism);
        Directory.CreateSymbolicLink(_tree.InMei("louisdir"), "../louis");
        File.CreateSymbolicLink(Path.Combine(_tree.Louis, "louis-link"), "notes.txt");
        foreach (var path in new[] { "../secret.txt", "../louis/notes.txt", "louisdir/notes.txt", "louisdir/louis-link", "notes/../../louis/louis-link", "../mei-evil/x", "/etc/hostname" })
        {
            var info = Assert.Throws<WorkspaceAccessException>(() => fs.GetLinkInfo(path));
            Assert.True(info.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.InvalidPath, $"{path}: {info.Reason} {info.Message}");
            var link = Assert.Throws<WorkspaceAccessException>(() => fs.ReadLink(path));
            Assert.True(link.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink or WorkspaceAccessReason.InvalidPath, $"{path}: {link.Reason} {link.Message}");
            Assert.DoesNotContain(_tree.Root, info.Message + link.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(KernelMechanisms))]
    public void Lstat_refuses_a_hard_link_to_an_outside_file(string mechanism)
    {
        using var fs = Open(mechanism);
        if (!WorkspaceTree.Run("ln", Path.Combine(_tree.Workspaces, "secret.txt"), _tree.InMei("hard")))
        {
            Assert.Skip("ln could not make a hard link here.");
        }

        Assert.Equal(WorkspaceAccessReason.OutsideWorkspace, Assert.Throws<WorkspaceAccessException>(() => fs.GetLinkInfo("hard")).Reason);
        Assert.Equal(WorkspaceAccessReason.OutsideWorkspace, Assert.Throws<WorkspaceAccessException>(() => Append(fs, "hard", "pwned")).Reason);
        Assert.Equal(WorkspaceTree.OutsideText, File.ReadAllText(Path.Combine(_tree.Workspaces, "secret.txt")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Malformed_paths_are_clear_errors_for_every_new_operation(string mechanism)
    {
        using var fs = Open(mechanism);
        foreach (var (path, reason, part) in new[]
        {
            ("a\0b", WorkspaceAccessReason.InvalidPath, "NUL"),
            ("", WorkspaceAccessReason.InvalidPath, "empty"),
            (".", WorkspaceAccessReason.InvalidPath, "root itself"),
            ("a:b", WorkspaceAccessReason.InvalidPath, "':'"),
            ("a\nb", WorkspaceAccessReason.InvalidPath, "control character"),
            (new string('a', 5000), WorkspaceAccessReason.PathTooLong, "5,000 bytes"),
        })
        {
            foreach (var action in new Action[]
            {
                () => fs.Move(path, "x", overwrite: false),
                () => fs.Move("notes/a.txt", path, overwrite: false),
                () => fs.DeleteContents(path, CancellationToken.None),
                () => fs.GetLinkInfo(path),
                () => fs.ReadLink(path),
                () => Append(fs, path, "x"),
            })
            {
                var ex = Assert.Throws<WorkspaceAccessException>(action);
                Assert.Equal(reason, ex.Reason);
                Assert.Contains(part, ex.Message, StringComparison.Ordinal);
            }
        }

        Assert.Equal("inside", File.ReadAllText(_tree.InMei("notes/a.txt")));
        Assert.Equal([_tree.InMei("notes")], Directory.EnumerateFileSystemEntries(_tree.Mei));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void Either_spelling_of_a_name_moves_appends_and_describes_the_NFC_file(string mechanism)
    {
        using var fs = Open(mechanism);
        const string Nfc = "caf\u00E9.txt";
        const string Nfd = "cafe\u0301.txt";
        WorkspaceTree.Write(fs, Nfc, "one");
        Append(fs, Nfd, "+two");
        Assert.Equal("one+two", File.ReadAllText(_tree.InMei(Nfc)));
        Assert.Equal(Nfc, fs.GetLinkInfo(Nfd).Path);
        fs.Move(Nfd, "notes/" + Nfd, overwrite: false);
        Assert.True(File.Exists(_tree.InMei("notes/" + Nfc)));
        Assert.False(File.Exists(_tree.InMei("notes/" + Nfd)));
        Assert.False(File.Exists(_tree.InMei(Nfc)));
    }

    private static void Append(WorkspaceFileSystem fs, string path, string text)
    {
        using var handle = fs.OpenFile(path, WorkspaceFileMode.Append, out var length);
        RandomAccess.Write(handle, System.Text.Encoding.UTF8.GetBytes(text), length);
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
