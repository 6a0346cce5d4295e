using System.Diagnostics;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests;

// A backup of state.db restored while the host runs and holds the database open, both ways an operator does it:
// mv over it (another file at the path) and cp over it (the same file, its content rewritten in place, the old
// state.db-wal and state.db-shm left beside it). The write that follows must land, intact, in the restored file,
// or fail with a clear error; it must never be acknowledged and lost, or bring the old content back.
public sealed class RestoreTests
{
    public enum Restore
    {
        // mv backup.db state.db
        Rename,

        // cp backup.db state.db
        CopyInPlace,
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadWrite");
        connection.Open();
        return connection;
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    // integrity_check of the file and of its full-text index, then every message with its session, in order.
    private static List<string> CheckedContents(string path)
    {
        using var connection = OpenRaw(path);
        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check"));
        Scalar(connection, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT s.id || ': ' || m.content FROM messages m JOIN sessions s ON s.seq = m.session ORDER BY m.id";
        using var reader = command.ExecuteReader();
        var contents = new List<string>();
        while (reader.Read())
        {
            contents.Add(reader.GetString(0));
        }

        return contents;
    }

    // mei's session "kept" holds "before the backup"; the backup is an export (VACUUM INTO, a consistent copy);
    // then "after the backup" goes into "kept" and a second session "later" is started. The store stays open.
    private static async Task<(string Kept, string Later, string Backup)> WriteThenBackUpThenWriteAsync(TestData data, ISessionStore store)
    {
        var kept = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "before the backup 备份")]);
        var backup = Path.Combine(data.Root, "backup.db");
        Assert.True(await data.Files.ExportAsync(data.DatabaseOf("mei"), backup));
        await store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "after the backup")]);
        var later = (await store.StartNewSessionAsync("later")).Id;
        await store.AppendAsync(later, [new SessionMessage(SessionRoles.User, "in a session the backup does not have")]);
        Assert.True(File.Exists(data.DatabaseOf("mei") + "-wal"), "the writes since the backup are in the log, as under a running host");
        return (kept, later, backup);
    }

    // Restores the backup with the real tool, and checks that the test does what it says (inode kept or not).
    private static void RestoreBackup(string backup, string path, Restore how)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Telling a replaced or overwritten database from the open one needs Linux (statx); elsewhere only a deleted one is noticed.");
            return;
        }

        var before = FileState.Of(path);
        Assert.Equal(0, Tools.Run(how == Restore.Rename ? "mv" : "cp", backup, path));
        Assert.Equal(how == Restore.CopyInPlace, FileState.IsSameFile(before, FileState.Of(path)));
    }

    [Theory]
    [InlineData(Restore.Rename)]
    [InlineData(Restore.CopyInPlace)]
    public async Task A_backup_restored_under_an_open_store_takes_effect_and_the_next_write_lands_in_it(Restore how)
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using (var turn = data.BeginTurn("2"))
        {
            var store = turn.Services.GetRequiredService<ISessionStore>();
            var (kept, later, backup) = await WriteThenBackUpThenWriteAsync(data, store);
            Assert.Equal(1, data.Pool.OpenCount);

            RestoreBackup(backup, path, how);

            // The same store, the same pooled connection: the write goes into the restored file.
            await store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "after the restore")]);
            Assert.Equal(["before the backup 备份", "after the restore"], (await store.GetMessagesAsync(kept)).Select(m => m.Content));

            // A session the backup does not have is gone with the content the restore replaced: a clear error.
            await Assert.ThrowsAsync<SessionNotFoundException>(() => store.AppendAsync(later, [new SessionMessage(SessionRoles.User, "into the void?")]));
            Assert.Equal([kept], (await store.ListSessionsAsync()).Select(s => s.Id));
            Assert.Equal(kept, Assert.Single(await store.SearchAsync("备份")).SessionId);
            Assert.Equal([$"{kept}: before the backup 备份", $"{kept}: after the restore"], CheckedContents(path));
        }

        // And after the host stops (its connection closes and checkpoints), the file is still the restored one.
        await data.StopHostAsync();
        Assert.False(File.Exists(path + "-wal"));
        var sessions = CheckedContents(path);
        Assert.Equal(2, sessions.Count);
        Assert.EndsWith(": after the restore", sessions[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Restore.Rename)]
    [InlineData(Restore.CopyInPlace)]
    public async Task A_backup_restored_while_the_host_is_idle_is_still_there_after_it_stops(Restore how)
    {
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        string kept;
        await using (var turn = data.BeginTurn("2"))
        {
            (kept, _, var backup) = await WriteThenBackUpThenWriteAsync(data, turn.Services.GetRequiredService<ISessionStore>());
            RestoreBackup(backup, path, how);
        }

        // No operation since the restore: closing the pooled connection is the first thing that sees it. A plain
        // close would checkpoint the old content's log into the restored file (cp), or leave that log beside it
        // for the next open to apply (mv).
        await data.StopHostAsync();
        Assert.Equal([$"{kept}: before the backup 备份"], CheckedContents(path));
    }

    // The safe way while the host runs: SQLite's backup API writes the backup into the database under its locks,
    // as one transaction that every open connection sees.
    [Fact]
    public async Task A_backup_restored_with_sqlite3_restore_under_an_open_store_takes_effect()
    {
        Assert.SkipUnless(Tools.Run("sqlite3", "-version") == 0, "Needs the sqlite3 shell.");
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var (kept, later, backup) = await WriteThenBackUpThenWriteAsync(data, store);

        Assert.Equal(0, Tools.Run("sqlite3", path, $".restore '{backup}'"));

        await store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "after the restore")]);
        await Assert.ThrowsAsync<SessionNotFoundException>(() => store.GetSessionAsync(later));
        Assert.Equal([$"{kept}: before the backup 备份", $"{kept}: after the restore"], CheckedContents(path));
    }

    [Fact]
    public async Task A_rename_while_another_process_has_the_old_file_open_fails_clearly_until_it_lets_go()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Tools.Run("sqlite3", "-version") == 0, "Needs Linux and the sqlite3 shell, as the other process that keeps the old file open.");
        await using var data = new TestData();
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var (kept, _, backup) = await WriteThenBackUpThenWriteAsync(data, store);

        // Another process reads the database and keeps it open (a sqlite3 shell an operator left running).
        using var shell = Process.Start(new ProcessStartInfo("sqlite3", [path]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        await shell.StandardInput.WriteLineAsync("SELECT 'count ' || count(*) FROM messages;");
        await shell.StandardInput.FlushAsync();
        Assert.Equal("count 3", await shell.StandardOutput.ReadLineAsync());

        RestoreBackup(backup, path, Restore.Rename);

        // The old file's -wal and -shm are still in use, so opening the new file would apply them to it.
        var error = await Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "while the shell has the old file")]));
        Assert.Contains("profile 'mei'", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("Stop every process that uses this data root", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SessionStoreException>(() => store.GetMessagesAsync(kept));

        await shell.StandardInput.WriteLineAsync(".quit");
        await shell.WaitForExitAsync();

        await store.AppendAsync(kept, [new SessionMessage(SessionRoles.User, "after the shell let go")]);
        Assert.Equal([$"{kept}: before the backup 备份", $"{kept}: after the shell let go"], CheckedContents(path));
    }

    // Our own checkpoints write the database file too, as a copy over it would, so each one sends the next
    // operation through the overwrite check, a close and a reopen: nothing may be lost or doubled on the way.
    // (Our checkpoints copy the whole log, so even throwing the log away would lose nothing here; the test
    // below, with a checkpoint that leaves pages in the log, is the one that needs the files to be read.)
    [Fact]
    public async Task The_stores_own_checkpoints_are_not_mistaken_for_a_restore()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("The check that could mistake them runs on Linux only.");
            return;
        }

        await using var data = new TestData(o => o.Synchronous = SqliteSynchronousMode.Normal);
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        var before = FileState.Of(path);
        var written = new List<string>();
        // About 1.5 MB a round, so SQLite checkpoints (every 1000 pages) several times on the way.
        for (var i = 0; i < 12; i++)
        {
            var text = $"round {i} " + new string((char)('a' + i), 400_000);
            await store.AppendAsync(session, [new SessionMessage(SessionRoles.User, text)]);
            written.Add(text);
        }

        Assert.NotEqual(before, FileState.Of(path)); // checkpoints did write the file
        Assert.Equal(written, (await store.GetMessagesAsync(session)).Select(m => m.Content));
        Assert.Equal(written.Select(t => $"{session}: {t}"), CheckedContents(path));
    }

    // A checkpoint that could copy only part of the log, because another process was reading an older snapshot,
    // leaves pages in the log that are not in the file. When that reader is gone, the written file must still be
    // recognised as SQLite's doing, or those pages (acknowledged writes) would be thrown away with the log.
    [Fact]
    public async Task A_partial_checkpoint_while_another_process_reads_is_not_mistaken_for_a_restore()
    {
        if (!OperatingSystem.IsLinux() || Tools.Run("sqlite3", "-version") != 0)
        {
            Assert.Skip("Needs Linux and the sqlite3 shell, as the other process that holds a read transaction open.");
            return;
        }

        await using var data = new TestData(o => o.Synchronous = SqliteSynchronousMode.Normal);
        var path = data.DatabaseOf("mei");
        await using var turn = data.BeginTurn("2");
        var store = turn.Services.GetRequiredService<ISessionStore>();
        var session = (await store.OpenCurrentSessionAsync()).Id;
        await store.AppendAsync(session, [new SessionMessage(SessionRoles.User, "first")]);

        using (var shell = Process.Start(new ProcessStartInfo("sqlite3", [path]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!)
        {
            // A read transaction, open on the snapshot that has "first" only.
            await shell.StandardInput.WriteLineAsync("BEGIN; SELECT 'count ' || count(*) FROM messages;");
            await shell.StandardInput.FlushAsync();
            Assert.Equal("count 1", await shell.StandardOutput.ReadLineAsync());

            // More than 1000 pages: SQLite checkpoints after the commit, but only up to the reader's snapshot.
            await store.AppendAsync(session, [.. Enumerable.Range(0, 6).Select(_ => new SessionMessage(SessionRoles.User, "second " + new string('x', 900_000)))]);
            await shell.StandardInput.WriteLineAsync(".quit");
            await shell.WaitForExitAsync();
        }

        await store.AppendAsync(session, [new SessionMessage(SessionRoles.User, "third")]);
        string[] expected = ["first", .. Enumerable.Repeat("second", 6), "third"];
        Assert.Equal(expected, (await store.GetMessagesAsync(session)).Select(m => m.Content.Split(' ')[0]));
        await data.StopHostAsync();
        Assert.Equal(expected, CheckedContents(path).Select(m => m.Split(' ')[1]));
    }
}
