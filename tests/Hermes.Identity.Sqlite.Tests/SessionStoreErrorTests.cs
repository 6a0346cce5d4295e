using Hermes.Identity.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// Storage faults produced for real (a full disk, a file that is not a database, a read-only file or file
// system, a path that cannot be opened) come out as SessionStoreException naming the profile, the file and what
// to do, with the SQLite error inside; earlier writes stay intact, and the store works again once the cause is gone.
public sealed class SessionStoreErrorTests
{
    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadWrite");
        connection.Open();
        return connection;
    }

    private static string IntegrityCheck(string path)
    {
        using var connection = OpenRaw(path);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }

    private static void AssertNamesProfileAndFile(SessionStoreException error, string path)
    {
        Assert.Contains("profile 'mei'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({path})", error.Message, StringComparison.Ordinal);
        Assert.True(Path.IsPathFullyQualified(path));
    }

    private static SessionMessage Message(string text) => new(SessionRoles.User, text);

    // Closes the pooled connection, so that the next operation opens the file as it is now.
    private static async Task CloseConnectionAsync(TestData data) => await (await data.Files.TakeOfflineAsync(data.DatabaseOf("mei"))).DisposeAsync();

    [Fact]
    public async Task A_full_disk_is_a_clear_error_that_keeps_earlier_writes_and_the_store_recovers_when_space_is_freed()
    {
        await using var data = new TestData();
        var folder = Path.GetDirectoryName(data.DatabaseOf("mei"))!;
        using var mount = Tools.TryMountTmpfs(folder, "size=1m");
        Assert.SkipWhen(mount is null, "Needs a small file system to fill: mounting a tmpfs needs Linux and root; the disk-full case is not exercised here.");
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(session, [Message("written before the disk filled up")]);

        // Leave less room than the next message needs.
        var filler = Path.Combine(folder, "filler");
        File.WriteAllBytes(filler, new byte[new DriveInfo(folder).AvailableFreeSpace - (16 * 1024)]);

        var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync(session, [Message(new string('x', 200_000))]));
        AssertNamesProfileAndFile(error, path);
        Assert.Contains("is full: the disk has no space left", error.Message, StringComparison.Ordinal);
        Assert.Contains("Free space; earlier writes are intact", error.Message, StringComparison.Ordinal);
        Assert.Equal(13, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode); // SQLITE_FULL
        Assert.Equal(["written before the disk filled up"], (await store.GetMessagesAsync(session)).Select(m => m.Content));

        File.Delete(filler);
        await store.AppendAsync(session, [Message(new string('x', 200_000))]);
        Assert.Equal(2, (await store.GetMessagesAsync(session)).Count);
        Assert.Equal("ok", IntegrityCheck(path));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_named_and_left_as_it_is()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = string.Concat(Enumerable.Repeat("notes someone saved under the wrong name\n", 200));
        File.WriteAllText(path, text);

        await using (var turn = data.BeginTurn("2"))
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => turn.Services.GetRequiredService<ISessionStore>().OpenCurrentSessionAsync());
            AssertNamesProfileAndFile(error, path);
            Assert.Contains("is not a SQLite database or is damaged", error.Message, StringComparison.Ordinal);
            Assert.Contains("Restore it from a backup", error.Message, StringComparison.Ordinal);
            Assert.Equal(26, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode); // SQLITE_NOTADB
        }

        // The owner's view of every profile says the same.
        await using (var owner = data.BeginTurn("1"))
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => owner.Services.GetRequiredService<IAllSessionsReader>().ListSessionsAsync("mei"));
            AssertNamesProfileAndFile(error, path);
        }

        Assert.Equal(text, File.ReadAllText(path));
    }

    [Fact]
    public async Task A_damaged_database_is_named_with_what_to_do()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(session, [Message("hello")]);
        await CloseConnectionAsync(data);

        // Scribble over the schema on page 1, past the 100-byte header.
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = 100;
            file.Write(Enumerable.Repeat((byte)0xA5, 3000).ToArray());
        }

        var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.GetMessagesAsync(session));
        AssertNamesProfileAndFile(error, path);
        Assert.Contains("is not a SQLite database or is damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains(Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode, new[] { 11, 26 }); // SQLITE_CORRUPT or NOTADB
    }

    [Fact]
    public async Task A_read_only_file_system_is_named_and_the_store_works_again_once_it_is_writable()
    {
        await using var data = new TestData();
        var folder = Path.GetDirectoryName(data.DatabaseOf("mei"))!;
        using var mount = Tools.TryMountTmpfs(folder, "size=4m");
        Assert.SkipWhen(mount is null, "Needs a file system to remount read-only: mounting a tmpfs needs Linux and root.");
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(session, [Message("written while it was writable")]);
        await CloseConnectionAsync(data); // a file system with files open for writing cannot be remounted read-only
        Assert.True(Tools.Remount(folder, "ro"));

        var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync(session, [Message("refused")]));
        AssertNamesProfileAndFile(error, path);
        Assert.Contains("cannot be written: the file system it is on is mounted read-only", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was written", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);

        Assert.True(Tools.Remount(folder, "rw"));
        await store.AppendAsync(session, [Message("written once it was writable again")]);
        Assert.Equal(["written while it was writable", "written once it was writable again"], (await store.GetMessagesAsync(session)).Select(m => m.Content));
    }

    [Fact]
    public async Task A_read_only_database_file_is_named_and_the_store_works_again_once_it_is_writable()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(session, [Message("written while it was writable")]);
        await CloseConnectionAsync(data);

        // Root writes through file modes, so as root the file is made immutable instead (chattr +i).
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Needs Unix file modes.");
        var madeReadOnly = Tools.IsRoot ? Tools.Run("chattr", "+i", path) == 0 : Tools.Run("chmod", "a-w", path) == 0;
        Assert.SkipUnless(madeReadOnly, "Neither chmod (not root) nor chattr +i (root) could make the file read-only here.");
        try
        {
            var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync(session, [Message("refused")]));
            AssertNamesProfileAndFile(error, path);
            Assert.Contains("cannot be written", error.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was written; earlier writes are intact", error.Message, StringComparison.Ordinal);
            Assert.Equal(8, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode); // SQLITE_READONLY
            Assert.Equal(["written while it was writable"], (await store.GetMessagesAsync(session)).Select(m => m.Content));
        }
        finally
        {
            Assert.Equal(0, Tools.IsRoot ? Tools.Run("chattr", "-i", path) : Tools.Run("chmod", "u+w", path));
        }

        await store.AppendAsync(session, [Message("written once it was writable again")]);
        Assert.Equal(2, (await store.GetMessagesAsync(session)).Count);
    }

    [Fact]
    public async Task A_database_path_that_cannot_be_opened_is_named()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Directory.CreateDirectory(path); // a folder where the file should be
        await using var turn = data.BeginTurn("2");
        var error = await Assert.ThrowsAsync<SessionStoreException>(() => turn.Services.GetRequiredService<ISessionStore>().OpenCurrentSessionAsync());
        AssertNamesProfileAndFile(error, path);
        Assert.Contains("cannot be opened", error.Message, StringComparison.Ordinal);
        Assert.Contains("Check that it is a file, not a folder", error.Message, StringComparison.Ordinal);
        Assert.Equal(14, Assert.IsType<SqliteException>(error.InnerException).SqliteErrorCode); // SQLITE_CANTOPEN
    }

    [Fact]
    public async Task A_profile_folder_that_cannot_be_created_is_named()
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetDirectoryName(path))!);
        File.WriteAllText(Path.GetDirectoryName(path)!, "a file where the profile's folder should be");
        await using var turn = data.BeginTurn("2");
        var error = await Assert.ThrowsAsync<SessionStoreException>(() => turn.Services.GetRequiredService<ISessionStore>().OpenCurrentSessionAsync());
        AssertNamesProfileAndFile(error, path);
        Assert.Contains("cannot be created", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_found_and_cancelled_stay_what_they_are()
    {
        await using var data = new TestData();
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendAsync("no-such-session", [Message("x")]));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AppendAsync("no-such-session", [Message("x")], cancelled.Token));
    }
}
