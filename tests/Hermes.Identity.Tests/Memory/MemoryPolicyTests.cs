using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using static Hermes.Identity.Tests.Memory.MemoryTestRoot;

namespace Hermes.Identity.Tests.Memory;

public sealed class MemoryPolicyTests
{
    [Fact]
    public async Task Shared_memory_is_read_only_by_roles_granted_memory_shared_read()
    {
        await using var data = Create();
        await data.AddAsync(Louis, MemoryFile.Shared, "The house wifi is called hermes");

        Assert.Equal(["The house wifi is called hermes"], (await data.ReadAsync(Louis)).Shared);
        Assert.Equal(["The house wifi is called hermes"], (await data.ReadAsync(Ada)).Shared);
        Assert.Null((await data.ReadAsync(Mei)).Shared);
        Assert.Null((await data.ReadAsync("999")).Shared);
        Assert.DoesNotContain("hermes", (await data.ReadAsync(Mei)).Render(), StringComparison.Ordinal);
        Assert.Contains("Shared memory", (await data.ReadAsync(Ada)).Render(), StringComparison.Ordinal);
        Assert.Equal("The house wifi is called hermes", Text(data.SharedPath));
    }

    [Theory]
    [InlineData(Mei)]
    [InlineData(Ada)]
    [InlineData("999")]
    public async Task Shared_memory_is_written_only_by_roles_granted_memory_shared_write(string who)
    {
        await using var data = Create();
        await data.AddAsync(Louis, MemoryFile.Shared, "Speak plainly.");
        var before = Bytes(data.SharedPath);

        await data.AsAsync(who, async m =>
        {
            var add = await Assert.ThrowsAsync<AccessDeniedException>(() => m.AddAsync(MemoryFile.Shared, "Speak like a palace drama.", Ct).AsTask());
            Assert.Equal(PolicyActions.MemorySharedWrite, add.Action);
            Assert.Equal("memories/_shared/MEMORY.md", add.Resource);
            Assert.False(add.Decision.IsAllowed);
            Assert.Contains("memory.shared.write", add.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<AccessDeniedException>(() => m.ReplaceAsync(MemoryFile.Shared, "plainly", "like a palace drama.", Ct).AsTask());
            await Assert.ThrowsAsync<AccessDeniedException>(() => m.RemoveAsync(MemoryFile.Shared, "plainly", Ct).AsTask());
            return 0;
        });

        Assert.Equal(before, Bytes(data.SharedPath));
    }

    [Fact]
    public async Task A_role_without_memory_actions_reads_nothing_and_writes_nothing()
    {
        await using var data = Create();
        Directory.CreateDirectory(Path.Combine(data.Root, "memories", "zed"));
        File.WriteAllText(data.NotesPath("zed"), "planted by hand\n");

        var snapshot = await data.ReadAsync(Zed);
        Assert.False(snapshot.IsOwnMemoryReadable);
        Assert.Empty(snapshot.Notes);
        Assert.Null(snapshot.Shared);
        Assert.DoesNotContain("planted", snapshot.Render(), StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<AccessDeniedException>(() => data.AddAsync(Zed, MemoryFile.User, "x"));
        Assert.Equal(PolicyActions.MemoryWrite, denied.Action);
        Assert.Equal("planted by hand\n", Text(data.NotesPath("zed")));
        Assert.False(File.Exists(data.UserPath("zed")));
    }

    [Fact]
    public async Task A_refused_caller_is_refused_before_its_entry_is_judged()
    {
        await using var data = Create();

        await Assert.ThrowsAsync<AccessDeniedException>(() => data.AddAsync(Zed, MemoryFile.Notes, ""));
        await Assert.ThrowsAsync<AccessDeniedException>(() => data.AddAsync(Mei, MemoryFile.Shared, "a\n§\nb"));
    }

    [Fact]
    public async Task A_plugged_in_backend_that_refuses_stops_even_the_owner()
    {
        await using var data = Create(backend: new RefusesEverything());

        await Assert.ThrowsAsync<AccessDeniedException>(() => data.AddAsync(Louis, MemoryFile.Notes, "x"));
        Assert.False((await data.ReadAsync(Louis)).IsOwnMemoryReadable);
        Assert.False(Directory.Exists(Path.Combine(data.Root, "memories")));
    }

    [Fact]
    public async Task Every_operation_asks_the_policy_first_with_the_path_under_the_root_as_resource()
    {
        var recording = new RecordingPolicyBackend();
        await using var data = Create(backend: recording);

        await data.AsAsync(Louis, async m =>
        {
            await m.AddAsync(MemoryFile.Notes, "a", Ct);
            await Assert.ThrowsAsync<MemoryEntryMatchException>(() => m.ReplaceAsync(MemoryFile.User, "x", "y", Ct).AsTask());
            await Assert.ThrowsAsync<MemoryEntryMatchException>(() => m.RemoveAsync(MemoryFile.Shared, "x", Ct).AsTask());
            await m.ReadAsync(Ct);
            return 0;
        });

        Assert.Equal(
        [
            ("memory.write", "memories/louis/MEMORY.md"),
            ("memory.write", "memories/louis/USER.md"),
            ("memory.shared.write", "memories/_shared/MEMORY.md"),
            ("memory.read", "memories/louis/"),
            ("memory.shared.read", "memories/_shared/MEMORY.md"),
        ], recording.Requests.Select(r => (r.Action, r.Resource)));
    }

    // Every backend must allow: the built-in roles allow the owner, this one says no.
    private sealed class RefusesEverything : IPolicyBackend
    {
        public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(PolicyDecision.Deny("This backend refuses everything."));
    }
}
