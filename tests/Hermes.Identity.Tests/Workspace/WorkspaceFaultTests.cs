using System.Text.RegularExpressions;
using Hermes.Identity.Tests.Infrastructure;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Tests.Workspace;

// What the operating system refuses comes back as a WorkspaceAccessException with a reason the caller can
// act on and a message that says what to do, for every mechanism: never a bare "error 20", never a raw
// IOException, never the host's own paths.
public sealed partial class WorkspaceFaultTests : IDisposable
{
    private const string Mei = "222";

    private readonly WorkspaceTree _tree = new();

    public static TheoryData<string> AllMechanisms => ["openat2", "walk", "portable"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _tree.Dispose();

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void A_workspace_root_that_is_a_symbolic_link_is_refused_by_name(string mechanism)
    {
        var linked = Path.Combine(_tree.Workspaces, "linked");
        Directory.CreateSymbolicLink(linked, "louis");
        var ex = Assert.Throws<WorkspaceAccessException>(() => Open(mechanism, linked));
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, ex.Reason);
        Assert.Contains("The workspace folder 'workspaces/linked' is a symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Contains("replace the link with the folder it points to", ex.Message, StringComparison.Ordinal);
        AssertSafeMessage(ex);

        var dangling = Path.Combine(_tree.Workspaces, "dangling");
        Directory.CreateSymbolicLink(dangling, "nowhere");
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, Assert.Throws<WorkspaceAccessException>(() => Open(mechanism, dangling)).Reason);
        Assert.False(Directory.Exists(Path.Combine(_tree.Workspaces, "nowhere")));
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void A_workspace_root_that_is_a_file_or_lies_under_one_is_refused_by_name(string mechanism)
    {
        var file = Path.Combine(_tree.Workspaces, "plain");
        File.WriteAllText(file, "not a folder");

        var ex = Assert.Throws<WorkspaceAccessException>(() => Open(mechanism, file));
        Assert.Equal(WorkspaceAccessReason.NotADirectory, ex.Reason);
        Assert.Contains("The workspace folder 'workspaces/plain' is a file, not a folder", ex.Message, StringComparison.Ordinal);
        AssertSafeMessage(ex);

        ex = Assert.Throws<WorkspaceAccessException>(() => Open(mechanism, Path.Combine(file, "mei")));
        Assert.Equal(WorkspaceAccessReason.NotADirectory, ex.Reason);
        Assert.Contains("A part of the path to the workspace folder 'plain/mei' is a file", ex.Message, StringComparison.Ordinal);
        AssertSafeMessage(ex);
    }

    [Fact]
    public async Task Through_the_workspace_api_a_symlinked_root_is_a_clear_error()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "These tests pin the Linux behaviour.");
        await using var host = new WorkspaceHost();
        Directory.Delete(host.Tree.Mei, recursive: true);
        Directory.CreateSymbolicLink(host.Tree.Mei, "louis");
        await using var turn = host.BeginTurn(Mei);
        var ws = turn.Services.GetRequiredService<IWorkspace>();

        var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.ReadAllTextAsync("notes.txt", cancellationToken: Ct).AsTask());
        Assert.Equal(WorkspaceAccessReason.SymbolicLink, ex.Reason);
        Assert.Contains("'workspaces/mei'", ex.Message, StringComparison.Ordinal);
        AssertSafeMessage(ex);
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void A_read_only_file_system_is_ReadOnlyFileSystem_and_reads_still_work(string mechanism)
    {
        var unmount = FileSystemFaults.MountTmpfs(_tree.Mei, "256k", "the read-only file system case");
        try
        {
            Directory.CreateDirectory(_tree.InMei("notes"));
            File.WriteAllText(_tree.InMei("notes/a.txt"), "inside");
            FileSystemFaults.RemountReadOnly(_tree.Mei);
            using var fs = Open(mechanism, _tree.Mei);

            foreach (var action in new Action[]
            {
                () => WorkspaceTree.Write(fs, "notes/a.txt", "changed"),
                () => WorkspaceTree.Write(fs, "new.txt", "x", WorkspaceFileMode.CreateNew),
                () => fs.CreateDirectory("sub"),
                () => fs.Delete("notes/a.txt"),
            })
            {
                var ex = Assert.Throws<WorkspaceAccessException>(action);
                Assert.Equal(WorkspaceAccessReason.ReadOnlyFileSystem, ex.Reason);
                Assert.Contains("read-only (EROFS)", ex.Message, StringComparison.Ordinal);
                Assert.Contains("remount it read-write", ex.Message, StringComparison.Ordinal);
                AssertSafeMessage(ex);
            }

            Assert.Equal("inside", WorkspaceTree.Read(fs, "notes/a.txt"));
        }
        finally
        {
            unmount();
        }
    }

    [Theory]
    [MemberData(nameof(AllMechanisms))]
    public void A_file_or_folder_the_host_may_not_write_is_PermissionDenied(string mechanism)
    {
        using var fs = Open(mechanism, _tree.Mei);
        var undoFile = FileSystemFaults.MakeUnwritable(_tree.InMei("notes/a.txt"));
        try
        {
            var ex = Assert.Throws<WorkspaceAccessException>(() => WorkspaceTree.Write(fs, "notes/a.txt", "changed"));
            Assert.Equal(WorkspaceAccessReason.PermissionDenied, ex.Reason);
            Assert.Contains("permission denied", ex.Message, StringComparison.Ordinal);
            Assert.Contains("fix the permissions", ex.Message, StringComparison.Ordinal);
            AssertSafeMessage(ex);
        }
        finally
        {
            undoFile();
        }

        var undoFolder = FileSystemFaults.MakeUnwritable(_tree.InMei("notes"));
        try
        {
            foreach (var action in new Action[]
            {
                () => WorkspaceTree.Write(fs, "notes/new.txt", "x", WorkspaceFileMode.CreateNew),
                () => fs.CreateDirectory("notes/sub"),
                () => fs.Delete("notes/a.txt"),
            })
            {
                var ex = Assert.Throws<WorkspaceAccessException>(action);
                Assert.Equal(WorkspaceAccessReason.PermissionDenied, ex.Reason);
                AssertSafeMessage(ex);
            }

            Assert.Equal("inside", WorkspaceTree.Read(fs, "notes/a.txt"));
        }
        finally
        {
            undoFolder();
        }
    }

    // The disk fills during the write itself, after the file was opened: the handle's write is translated too.
    [Fact]
    public async Task A_full_disk_is_NoSpace_through_the_workspace_api()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "These tests pin the Linux behaviour.");
        await using var host = new WorkspaceHost();
        var unmount = FileSystemFaults.MountTmpfs(host.Tree.Mei, "64k", "the full disk case");
        try
        {
            await using var turn = host.BeginTurn(Mei);
            var ws = turn.Services.GetRequiredService<IWorkspace>();
            await ws.WriteAllBytesAsync("small.bin", new byte[1024], cancellationToken: Ct);

            var ex = await Assert.ThrowsAsync<WorkspaceAccessException>(() => ws.WriteAllBytesAsync("big.bin", new byte[256 * 1024], cancellationToken: Ct).AsTask());
            Assert.Equal(WorkspaceAccessReason.NoSpace, ex.Reason);
            Assert.Contains("no space left", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Delete files you no longer need", ex.Message, StringComparison.Ordinal);
            Assert.Contains("may now be incomplete", ex.Message, StringComparison.Ordinal);
            AssertSafeMessage(ex);

            await ws.DeleteAsync("big.bin", cancellationToken: Ct);
            await ws.WriteAllBytesAsync("again.bin", new byte[1024], cancellationToken: Ct);
            Assert.Equal(1024, (await ws.ReadAllBytesAsync("small.bin", cancellationToken: Ct)).Length);
        }
        finally
        {
            unmount();
        }
    }

    // No message is a bare errno, and none holds the host's own path (the tree's root is outside the workspace).
    private void AssertSafeMessage(WorkspaceAccessException ex)
    {
        Assert.DoesNotMatch(BareErrno(), ex.Message);
        Assert.DoesNotContain(_tree.Root, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", ex.Message, StringComparison.Ordinal);
    }

    private static WorkspaceFileSystem Open(string mechanism, string root)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The kernel-confined workspace is Linux only.");
        if (mechanism == "portable")
        {
            return PortableWorkspaceFileSystem.Open(root, confined: true);
        }

        Assert.SkipWhen(mechanism == "openat2" && !LinuxWorkspaceFileSystem.Openat2Works, "openat2 is not available on this kernel or is blocked here.");
        return LinuxWorkspaceFileSystem.Open(root, mechanism == "openat2" ? LinuxResolveMode.Openat2Beneath : LinuxResolveMode.OpenatWalk);
    }

    [GeneratedRegex(@"^The file system refused .*: error \d+\.?$|error \d+\.$")]
    private static partial Regex BareErrno();
}
