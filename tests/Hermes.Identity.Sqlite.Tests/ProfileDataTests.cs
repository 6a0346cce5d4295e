using System.Security.Cryptography;
using Hermes.Identity.Memory;
using Hermes.Identity.PersonalData;
using Hermes.Identity.Sessions;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// SECURITY.md §3: exporting or erasing one person's data touches that person's files only; both are policy-checked.
public sealed class ProfileDataTests
{
    private const string LouisCanary = "LOUIS-CANARY-7f3a";

    private static async Task WriteEverythingAsync(TestData data, string userId, string text)
    {
        await using var turn = data.BeginTurn(userId);
        var sessions = turn.Services.GetRequiredService<ISessionStore>();
        var session = await sessions.OpenCurrentSessionAsync();
        await sessions.AppendAsync(session.Id, [new SessionMessage(SessionRoles.User, text)]);
        await turn.Services.GetRequiredService<IMemoryStore>().AddAsync(MemoryFile.Notes, text);
        var workspace = turn.Services.GetRequiredService<IWorkspace>();
        await workspace.CreateDirectoryAsync("notes");
        await workspace.WriteAllTextAsync("notes/today.txt", text);
    }

    private static Dictionary<string, string> HashTree(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Where(f => new FileInfo(f).LinkTarget is null)
                .ToDictionary(f => Path.GetRelativePath(folder, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))))
            : [];

    private static string ExportFolder() => Path.Combine(Path.GetTempPath(), "hermes-export-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_owner_exports_one_person_and_gets_only_that_persons_data()
    {
        await using var data = new TestData();
        await WriteEverythingAsync(data, "1", LouisCanary);
        await WriteEverythingAsync(data, "2", "mei plans a trip to 西湖");
        var destination = ExportFolder();
        try
        {
            ProfileDataExport export;
            await using (var turn = data.BeginTurn("1"))
            {
                export = await turn.Services.GetRequiredService<ProfileData>().ExportAsync("mei", destination);
            }

            Assert.Equal(3, export.Files);
            Assert.True(File.Exists(Path.Combine(destination, "sessions", "state.db")));
            Assert.Contains("西湖", await File.ReadAllTextAsync(Path.Combine(destination, "memories", "MEMORY.md")));
            Assert.Equal("mei plans a trip to 西湖", await File.ReadAllTextAsync(Path.Combine(destination, "workspace", "notes", "today.txt")));
            foreach (var file in Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(LouisCanary, System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
            }
        }
        finally
        {
            Folders.DeleteWithRetry(destination);
        }
    }

    [Fact]
    public async Task Links_planted_in_a_workspace_are_neither_followed_on_export_nor_on_erase()
    {
        await using var data = new TestData();
        await WriteEverythingAsync(data, "1", LouisCanary);
        await WriteEverythingAsync(data, "2", "mei");
        var louis = data.PathsOf("louis");
        var mei = data.PathsOf("mei");
        File.CreateSymbolicLink(Path.Combine(mei.WorkspaceDirectory, "louis-dir"), louis.WorkspaceDirectory);
        File.CreateSymbolicLink(Path.Combine(mei.WorkspaceDirectory, "louis-memory.md"), Path.Combine(louis.MemoryDirectory, "MEMORY.md"));
        File.CreateSymbolicLink(Path.Combine(mei.WorkspaceDirectory, "etc"), "/etc");
        HardLink(Path.Combine(louis.WorkspaceDirectory, "notes", "today.txt"), Path.Combine(mei.WorkspaceDirectory, "hard.txt"));
        var louisBefore = (HashTree(louis.WorkspaceDirectory), HashTree(louis.MemoryDirectory), File.ReadAllBytes(louis.SessionDatabase).Length);

        var destination = ExportFolder();
        try
        {
            await using (var turn = data.BeginTurn("1"))
            {
                var export = await turn.Services.GetRequiredService<ProfileData>().ExportAsync("mei", destination);
                Assert.Equal(4, export.Skipped.Count);
                foreach (var file in Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories))
                {
                    Assert.DoesNotContain(LouisCanary, System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
                }

                var erased = await turn.Services.GetRequiredService<ProfileData>().EraseAsync("mei");
                Assert.True(erased.SessionDatabaseErased);
            }

            Assert.False(Directory.Exists(mei.WorkspaceDirectory));
            Assert.False(Directory.Exists(mei.MemoryDirectory));
            Assert.False(File.Exists(mei.SessionDatabase));
            Assert.Equal(louisBefore.Item1, HashTree(louis.WorkspaceDirectory));
            Assert.Equal(louisBefore.Item2, HashTree(louis.MemoryDirectory));
            Assert.True(File.Exists(louis.SessionDatabase));
            Assert.True(File.Exists("/etc/hostname") || Directory.Exists("/etc"));
        }
        finally
        {
            Folders.DeleteWithRetry(destination);
        }
    }

    [Fact]
    public async Task After_an_erase_the_person_starts_afresh_and_nothing_old_comes_back()
    {
        await using var data = new TestData();
        await WriteEverythingAsync(data, "2", "old secret");
        await using (var owner = data.BeginTurn("1"))
        {
            await owner.Services.GetRequiredService<ProfileData>().EraseAsync("mei");
        }

        await WriteEverythingAsync(data, "2", "new start");
        await using var turn = data.BeginTurn("2");
        Assert.Empty(await turn.Services.GetRequiredService<ISessionStore>().SearchAsync("old secret"));
        Assert.Equal(["new start"], (await turn.Services.GetRequiredService<IMemoryStore>().ReadAsync()).Notes);
    }

    [Theory]
    [InlineData("2", "louis")] // trusted
    [InlineData("3", "louis")] // guest
    [InlineData("2", "mei")]   // not even one's own, unless the config grants profile.export / profile.erase
    [InlineData("77", "mei")]  // an unknown sender admitted as a guest
    public async Task Export_and_erase_are_refused_without_the_rights(string userId, string target)
    {
        await using var data = new TestData();
        await WriteEverythingAsync(data, "1", LouisCanary);
        await WriteEverythingAsync(data, "2", "mei");
        var before = HashTree(data.Root);
        var destination = ExportFolder();
        await using (var turn = data.BeginTurn(userId))
        {
            var profileData = turn.Services.GetRequiredService<ProfileData>();
            var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => profileData.ExportAsync(target, destination));
            Assert.False(denied.Decision!.IsAllowed);
            await Assert.ThrowsAsync<AccessDeniedException>(() => profileData.EraseAsync(target));
        }

        Assert.False(Directory.Exists(destination));
        Assert.Equal(before.Keys.Order(), HashTree(data.Root).Keys.Where(k => !k.StartsWith("audit", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task A_role_granted_export_may_export_its_own_data_but_not_someone_elses()
    {
        var identities = TestData.Identities + "\nroles:\n  trusted:\n    inherits: guest\n    allow: [profile.export, workspace.write, tool.files.*]\n";
        await using var data = new TestData(identities: identities);
        await WriteEverythingAsync(data, "2", "mei");
        var destination = ExportFolder();
        try
        {
            await using var turn = data.BeginTurn("2");
            var profileData = turn.Services.GetRequiredService<ProfileData>();
            Assert.True((await profileData.ExportAsync("mei", destination)).Files > 0);
            var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => profileData.ExportAsync("louis", ExportFolder()));
            Assert.Contains("identity.admin", denied.Decision!.Reason, StringComparison.Ordinal);
        }
        finally
        {
            Folders.DeleteWithRetry(destination);
        }
    }

    [Fact]
    public async Task Export_into_the_data_root_is_refused()
    {
        await using var data = new TestData();
        await WriteEverythingAsync(data, "2", "mei");
        await using var turn = data.BeginTurn("1");
        var ex = await Assert.ThrowsAsync<IOException>(() => turn.Services.GetRequiredService<ProfileData>().ExportAsync("mei", Path.Combine(data.Root, "workspaces", "bob", "loot")));
        Assert.Contains("outside the data root", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_a_turn_nobody_can_export()
    {
        await using var data = new TestData();
        // A plain DI scope is no turn: the service cannot even be made there.
        using (var scope = data.Services.CreateScope())
        {
            Assert.Throws<NoActiveTurnException>(() => scope.ServiceProvider.GetRequiredService<ProfileData>());
        }

        // Made in the owner's turn and kept past it: refused, with the same error as every profile-bound service.
        ProfileData kept;
        await using (var turn = data.BeginTurn("1"))
        {
            kept = turn.Services.GetRequiredService<ProfileData>();
        }

        await Assert.ThrowsAsync<NoActiveTurnException>(() => kept.ExportAsync("mei", ExportFolder()));
    }

    private static void HardLink(string existing, string link)
    {
        using var process = System.Diagnostics.Process.Start("ln", [existing, link]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
