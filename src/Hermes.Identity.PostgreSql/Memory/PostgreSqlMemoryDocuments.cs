using Hermes.Identity.Memory;
using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Internal;
using Npgsql;

namespace Hermes.Identity.PostgreSql.Memory;

// The memory documents in PostgreSQL: one row per (profile, file) with its entries and a version. An edit reads the
// row, runs the core's edit on the entries and writes them back only if the version is still the one read (UPDATE ...
// WHERE version = read, or INSERT ... ON CONFLICT DO NOTHING for a new document); when another replica wrote in
// between, it reads again and runs the edit again, so neither edit is lost. The core's MemoryStore keeps every rule
// (policy, entry rules, limits, errors) on top of this.
internal sealed class PostgreSqlMemoryDocuments(PostgreSqlDatabase database) : IMemoryDocumentStore
{
    // Edits lost to other writers in a row before giving up: far above what a few replicas editing one file produce.
    internal const int MaxEditAttempts = 64;

    // The shared memory's row: an empty profile key, which no profile has.
    private const string SharedProfile = "";

    private string S => database.Schema;

    public async ValueTask<IReadOnlyList<string>> ReadAsync(string profileKey, MemoryFile file, CancellationToken cancellationToken = default)
    {
        var (profile, name) = RowOf(profileKey, file);
        var (entries, _) = await database.RunAsync("reading memory", (connection, ct) => ReadRowAsync(connection, profile, name, ct), Fail, cancellationToken).ConfigureAwait(false);
        return entries;
    }

    public async ValueTask<IReadOnlyList<string>> UpdateAsync(string profileKey, MemoryFile file, Func<List<string>, bool> edit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(edit);
        var (profile, name) = RowOf(profileKey, file);
        for (var attempt = 1; attempt <= MaxEditAttempts; attempt++)
        {
            var (done, entries) = await database.RunAsync("editing memory", async (connection, ct) =>
            {
                var (current, version) = await ReadRowAsync(connection, profile, name, ct).ConfigureAwait(false);
                var edited = new List<string>(current);
                if (!edit(edited))
                {
                    return (true, (IReadOnlyList<string>)current);
                }

                foreach (var entry in edited)
                {
                    TextRules.Check(entry, nameof(edit), "A memory entry");
                }

                ct.ThrowIfCancellationRequested();
                using var write = new NpgsqlCommand(
                    version == 0
                        ? $"INSERT INTO {S}.memory_documents (profile, file, entries, version) VALUES ($1, $2, $3, 1) ON CONFLICT (profile, file) DO NOTHING"
                        : $"UPDATE {S}.memory_documents SET entries = $3, version = version + 1 WHERE profile = $1 AND file = $2 AND version = $4",
                    connection);
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                write.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. edited] });
                if (version != 0)
                {
                    write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
                }

                var written = await PostgreSqlDatabase.WriteAsync(write).ConfigureAwait(false);

                return (written == 1, (IReadOnlyList<string>)edited);
            }, Fail, cancellationToken).ConfigureAwait(false);

            if (done)
            {
                return entries;
            }

            Log.MemoryEditRetried(database.Logger, name, profile.Length == 0 ? "(shared)" : profile, attempt);
        }

        throw new IOException($"{MaxEditAttempts} edits in a row lost to other replicas' edits of the same memory; try again.");
    }

    private async Task<(IReadOnlyList<string> Entries, long Version)> ReadRowAsync(NpgsqlConnection connection, string profile, string name, CancellationToken ct)
    {
        using var read = new NpgsqlCommand($"SELECT entries, version FROM {S}.memory_documents WHERE profile = $1 AND file = $2", connection);
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = profile });
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetFieldValue<string[]>(0), reader.GetInt64(1)) : ([], 0);
    }

    private static (string Profile, string Name) RowOf(string profileKey, MemoryFile file) => file switch
    {
        MemoryFile.Notes => (Checked(profileKey), "MEMORY.md"),
        MemoryFile.User => (Checked(profileKey), "USER.md"),
        MemoryFile.Shared => (SharedProfile, "MEMORY.md"),
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, "Unknown memory file; use Notes, User or Shared."),
    };

    private static string Checked(string profileKey)
    {
        if (!ProfileKey.IsValid(profileKey))
        {
            throw new ArgumentException($"'{profileKey}' is not a profile key.", nameof(profileKey));
        }

        return profileKey;
    }

    private static Exception Fail(string message, Exception inner) => new IOException(message, inner);
}
