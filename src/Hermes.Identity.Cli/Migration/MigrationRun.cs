using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.Memory;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite;

namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// Applies a plan through the library's public services: identities.yaml first (a new data root), then the owner's
/// memory (IMemoryStore, in the owner's turn), then each conversation in a turn of its person (ISessionStore), written at
/// its own times (<see cref="MigrationClock"/>). The Hermes home is only read.
/// </summary>
internal static class MigrationRun
{
    private const int Batch = 500;

    public static string MarkerFor(MigrationPlan plan) =>
        Path.Combine(plan.Options.Root, "migrations", $"hermes-{plan.StateDigest ?? "memory-only"}.json");

    public static async Task<MigrationResult> ApplyAsync(MigrationPlan plan, CliContext context, CancellationToken cancellationToken)
    {
        var result = new MigrationResult();
        var marker = MarkerFor(plan);
        if (plan.StateDigest is not null && File.Exists(marker))
        {
            throw new CliException(ExitCodes.Problems, $"This state.db was imported already ({marker}): importing it again would copy every conversation twice. Delete that report to force it.");
        }

        Directory.CreateDirectory(plan.Options.Root);
        if (plan.NewIdentitiesYaml is { } yaml)
        {
            var file = Path.Combine(plan.Options.Root, "identities.yaml");
            var temp = file + ".migrate.tmp";
            await File.WriteAllTextAsync(temp, yaml, cancellationToken).ConfigureAwait(false);
            File.Move(temp, file, overwrite: false);
            result.WroteIdentities = true;
            context.Progress($"wrote {file} ({plan.People.Count} people)");
        }

        var clock = new MigrationClock();
        await using var data = await DataRoot.OpenAsync(plan.Options.Root, clock).ConfigureAwait(false);
        var owner = plan.People.First(p => p.Key == plan.Options.Owner);
        var ownerSender = new SenderEnvelope(owner.Accounts[0].Platform, owner.Accounts[0].UserId);

        if (plan.Notes.Entries.Count + plan.User.Entries.Count > 0)
        {
            await OperatorTurn.RunAsAsync(data, ownerSender, async turn =>
            {
                var memory = turn.Service<IMemoryStore>();
                result.NotesImported = await AddAllAsync(memory, MemoryFile.Notes, plan.Notes.Entries, result.MemoryRefused, cancellationToken).ConfigureAwait(false);
                result.UserImported = await AddAllAsync(memory, MemoryFile.User, plan.User.Entries, result.MemoryRefused, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            context.Progress($"memory: {result.NotesImported} MEMORY.md and {result.UserImported} USER.md entries");
        }

        var assigned = plan.Sessions.Where(s => s.ProfileKey is not null).ToList();
        var maxLength = new SqliteSessionOptions().MaxMessageLength;
        var lastShown = -1;
        for (var i = 0; i < assigned.Count; i++)
        {
            var item = assigned[i];
            await OperatorTurn.RunAsAsync(data, item.Sender!, async turn =>
            {
                await ImportAsync(turn.Service<ISessionStore>(), item.Session, clock, maxLength, result, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            result.SessionsByProfile[item.ProfileKey!] = result.SessionsByProfile.GetValueOrDefault(item.ProfileKey!) + 1;

            var percent = (i + 1) * 100 / assigned.Count;
            if (percent / 10 != lastShown)
            {
                lastShown = percent / 10;
                context.Progress($"sessions: {i + 1}/{assigned.Count} ({percent}%)");
            }
        }

        return result;
    }

    private static async Task<int> AddAllAsync(IMemoryStore memory, MemoryFile file, IReadOnlyList<string> entries, List<string> refused, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var entry in entries)
        {
            try
            {
                var edit = await memory.AddAsync(file, entry, cancellationToken).ConfigureAwait(false);
                added += edit.Changed ? 1 : 0;
            }
            catch (MemoryException ex)
            {
                refused.Add($"{(file == MemoryFile.Notes ? "MEMORY.md" : "USER.md")}: {Shorten(entry)}: {ex.Message}");
            }
        }

        return added;
    }

    private static async Task ImportAsync(ISessionStore store, HermesSession session, MigrationClock clock, int maxLength, MigrationResult result, CancellationToken cancellationToken)
    {
        int skipped = 0, toolCalls = 0;
        var messages = MessageConversion.Convert(session.Messages, maxLength, ref skipped, ref toolCalls);
        var title = session.Title is { Length: > 200 } tooLong ? tooLong[..200] : session.Title;
        try
        {
            clock.Set(session.StartedAt);
            var created = await store.StartNewSessionAsync(title, cancellationToken).ConfigureAwait(false);
            for (var start = 0; start < messages.Count; start += Batch)
            {
                var batch = messages.GetRange(start, Math.Min(Batch, messages.Count - start));
                clock.Set(batch[^1].Time);
                await store.AppendAsync(created.Id, batch, cancellationToken).ConfigureAwait(false);
            }

            if (session.Archived)
            {
                await store.ArchiveSessionAsync(created.Id, archived: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            clock.Set(null);
        }

        result.Messages += messages.Count;
        result.ToolCalls += toolCalls;
        result.MessagesSkipped += skipped;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
