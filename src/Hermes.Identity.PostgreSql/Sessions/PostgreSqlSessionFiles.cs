using System.Data;
using System.Text.Json;
using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Internal;
using Hermes.Identity.Sessions;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Sessions;

// The core's export and erase of one person's data (ISessionFiles) when sessions are in PostgreSQL. The core names the
// profile by its session database path (agents/<key>/state.db under the data root); the key is read from it and checked
// against the identity snapshot. Export writes one JSON document, as of one snapshot of the database (REPEATABLE READ):
// the profile's sessions with their messages and, when memory is in PostgreSQL too (memoryInDatabase), its memory
// documents. Erase deletes the same rows in one transaction.
internal sealed class PostgreSqlSessionFiles(PostgreSqlDatabase database, IIdentitySnapshotProvider snapshots, bool memoryInDatabase) : ISessionFiles
{
    private string S => database.Schema;

    public async Task<bool> ExportAsync(string databasePath, string destinationFile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationFile);
        var profile = ProfileOf(databasePath);
        if (File.Exists(destinationFile))
        {
            throw new IOException($"'{destinationFile}' already exists; export the sessions to a new file.");
        }

        var json = await database.RunAsync("exporting a profile's sessions", async (connection, ct) =>
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                var any = false;
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    writer.WriteStartObject();
                    writer.WriteString("profile", profile);
                    writer.WriteString("format", "hermes-identity-postgresql-export/1");
                    writer.WriteStartArray("sessions");
                    using (var sessions = new NpgsqlCommand($"SELECT seq, id, key, chat_id, chat_kind, title, created, updated, archived FROM {S}.sessions WHERE profile = $1 ORDER BY seq", connection, transaction))
                    {
                        sessions.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                        var rows = new List<(long Seq, Action<Utf8JsonWriter> Head)>();
                        using (var reader = await sessions.ExecuteReaderAsync(ct).ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                            {
                                var (seq, id, key) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
                                var chat = reader.IsDBNull(3) ? null : reader.GetString(3);
                                var (kind, title) = (((ChatKind)reader.GetInt32(4)).ToString(), reader.IsDBNull(5) ? null : reader.GetString(5));
                                var (created, updated, archived) = (reader.GetInt64(6), reader.GetInt64(7), reader.GetBoolean(8));
                                rows.Add((seq, w =>
                                {
                                    w.WriteString("id", id);
                                    w.WriteString("key", key);
                                    w.WriteString("chat_id", chat);
                                    w.WriteString("chat_kind", kind);
                                    w.WriteString("title", title);
                                    w.WriteString("created", DateTimeOffset.FromUnixTimeMilliseconds(created));
                                    w.WriteString("updated", DateTimeOffset.FromUnixTimeMilliseconds(updated));
                                    w.WriteBoolean("archived", archived);
                                }));
                            }
                        }

                        foreach (var (seq, head) in rows)
                        {
                            any = true;
                            writer.WriteStartObject();
                            head(writer);
                            writer.WriteStartArray("messages");
                            using var messages = new NpgsqlCommand($"SELECT id, role, content, tool_name, tool_call_id, time FROM {S}.messages WHERE profile = $1 AND session = $2 ORDER BY id", connection, transaction);
                            messages.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                            messages.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
                            using var reader = await messages.ExecuteReaderAsync(ct).ConfigureAwait(false);
                            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                            {
                                writer.WriteStartObject();
                                writer.WriteNumber("id", reader.GetInt64(0));
                                writer.WriteString("role", reader.GetString(1));
                                writer.WriteString("content", reader.GetString(2));
                                writer.WriteString("tool_name", reader.IsDBNull(3) ? null : reader.GetString(3));
                                writer.WriteString("tool_call_id", reader.IsDBNull(4) ? null : reader.GetString(4));
                                writer.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
                                writer.WriteEndObject();
                            }

                            writer.WriteEndArray();
                            writer.WriteEndObject();
                        }
                    }

                    writer.WriteEndArray();
                    if (memoryInDatabase)
                    {
                        writer.WriteStartObject("memory");
                        using var memory = new NpgsqlCommand($"SELECT file, entries FROM {S}.memory_documents WHERE profile = $1 ORDER BY file", connection, transaction);
                        memory.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                        using var reader = await memory.ExecuteReaderAsync(ct).ConfigureAwait(false);
                        while (await reader.ReadAsync(ct).ConfigureAwait(false))
                        {
                            any = true;
                            writer.WriteStartArray(reader.GetString(0));
                            foreach (var entry in reader.GetFieldValue<string[]>(1))
                            {
                                writer.WriteStringValue(entry);
                            }

                            writer.WriteEndArray();
                        }

                        writer.WriteEndObject();
                    }

                    writer.WriteEndObject();
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return any ? buffer.ToArray() : null;
            }
        }, (message, inner) => PostgreSqlSessionStore.Fail(profile, message, inner), cancellationToken).ConfigureAwait(false);

        if (json is null)
        {
            return false;
        }

        using var file = new FileStream(destinationFile, FileMode.CreateNew, FileAccess.Write);
        await file.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> EraseAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var profile = ProfileOf(databasePath);
        var erased = await database.RunAsync("erasing a profile's sessions", async (connection, ct) =>
        {
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                int sessions;
                using (var delete = new NpgsqlCommand($"DELETE FROM {S}.sessions WHERE profile = $1", connection, transaction))
                {
                    delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                    sessions = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                var documents = 0;
                if (memoryInDatabase)
                {
                    using var delete = new NpgsqlCommand($"DELETE FROM {S}.memory_documents WHERE profile = $1", connection, transaction);
                    delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                    documents = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return (Sessions: sessions, Documents: documents);
            }
        }, (message, inner) => PostgreSqlSessionStore.Fail(profile, message, inner), cancellationToken).ConfigureAwait(false);

        Log.SessionsErased(database.Logger, profile, erased.Sessions);
        return erased.Sessions + erased.Documents > 0;
    }

    // agents/<key>/state.db under the data root, as the snapshot gives it for <key>; anything else is refused.
    private string ProfileOf(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var full = Path.GetFullPath(databasePath);
        var key = Path.GetFileName(Path.GetDirectoryName(full));
        if (key is null || !ProfileKey.IsValid(key) || !string.Equals(Path.GetFullPath(snapshots.Current.GetPaths(key).SessionDatabase), full, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{databasePath}' is not a profile's session database path (ProfilePaths.SessionDatabase); pass the one the identity snapshot gives.", nameof(databasePath));
        }

        return key;
    }
}
