using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Memory;

// Scoped to a turn: the paths come from the turn's profile when the scope is built, and every call
// checks that this turn is still the one in progress, so the policy engine (which reads the current
// turn) decides for the same profile whose files are touched.
internal sealed class MemoryStore : IMemoryStore
{
    private const string SharedFileName = "MEMORY.md";

    private readonly TurnContext _turn;
    private readonly PolicyEngine _policy;
    private readonly MemoryFileStore _files;
    private readonly IMemoryDocumentStore? _documents;
    private readonly MemoryOptions _options;
    private readonly ILogger _logger;
    private readonly ProfilePaths _paths;
    private readonly IIdentitySnapshotProvider _snapshots;
    private string? _sharedPath;

    public MemoryStore(
        TurnContext turn,
        PolicyEngine policy,
        MemoryFileStore files,
        IIdentitySnapshotProvider snapshots,
        IOptions<MemoryOptions> options,
        IMemoryDocumentStore? documents = null)
    {
        _documents = documents;
        _turn = turn;
        _policy = policy;
        _files = files;
        _options = options.Value;
        _logger = files.Logger; // the singleton's, made once, not a lookup in the logger factory on every turn
        _paths = turn.Profile.Paths;
        _snapshots = snapshots;
    }

    public async ValueTask<MemorySnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        // One question per memory: the own folder (both files), then the shared file.
        var ownReadable = (await AuthorizeAsync(_paths.MemoryResource, PolicyActions.MemoryRead, cancellationToken).ConfigureAwait(false)).IsAllowed;
        var sharedReadable = (await AuthorizeAsync(ResourceOf(MemoryFile.Shared), PolicyActions.MemorySharedRead, cancellationToken).ConfigureAwait(false)).IsAllowed;
        return new MemorySnapshot(
            ownReadable ? await ReadEntriesAsync(MemoryFile.Notes, cancellationToken).ConfigureAwait(false) : [],
            ownReadable ? await ReadEntriesAsync(MemoryFile.User, cancellationToken).ConfigureAwait(false) : [],
            sharedReadable ? await ReadEntriesAsync(MemoryFile.Shared, cancellationToken).ConfigureAwait(false) : null)
        {
            IsOwnMemoryReadable = ownReadable,
            NotesLimit = _options.NotesLimit,
            UserLimit = _options.UserLimit,
            SharedLimit = _options.SharedLimit,
        };
    }

    public async ValueTask<MemoryEditResult> AddAsync(MemoryFile file, string entry, CancellationToken cancellationToken = default)
    {
        await DemandWriteAsync(file, cancellationToken).ConfigureAwait(false);
        var text = MemoryEntries.Normalize(entry, file);
        return await EditAsync(file, "add", entries =>
        {
            if (entries.Contains(text, StringComparer.Ordinal))
            {
                return false;
            }

            entries.Add(text);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<MemoryEditResult> ReplaceAsync(MemoryFile file, string uniqueSubstring, string newEntry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uniqueSubstring);
        await DemandWriteAsync(file, cancellationToken).ConfigureAwait(false);
        var text = MemoryEntries.Normalize(newEntry, file);
        return await EditAsync(file, "replace", entries =>
        {
            var index = MemoryEntries.FindUnique(entries, uniqueSubstring, file);
            if (string.Equals(entries[index], text, StringComparison.Ordinal))
            {
                return false;
            }

            entries[index] = text;
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<MemoryEditResult> RemoveAsync(MemoryFile file, string uniqueSubstring, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uniqueSubstring);
        await DemandWriteAsync(file, cancellationToken).ConfigureAwait(false);
        return await EditAsync(file, "remove", entries =>
        {
            entries.RemoveAt(MemoryEntries.FindUnique(entries, uniqueSubstring, file));
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    // Edits under the file's locks (the caller has authorised). The limit is checked on the entries read
    // under the lock; an edit that grows a file past it fails, one that shrinks an over-full file succeeds.
    private async ValueTask<MemoryEditResult> EditAsync(MemoryFile file, string operation, Func<List<string>, bool> edit, CancellationToken cancellationToken)
    {
        var limit = _options.LimitOf(file);
        var (entries, changed) = await UpdateEntriesAsync(file, entries =>
        {
            var before = MemoryEntries.Measure(entries);
            if (!edit(entries))
            {
                return false;
            }

            var after = MemoryEntries.Measure(entries);
            if (after > limit && after > before)
            {
                throw new MemoryLimitExceededException(file, limit, before, after);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

        var used = MemoryEntries.Measure(entries);
        if (changed)
        {
            Log.MemoryChanged(_logger, MemoryEntries.FileName(file), _turn.Profile.Key, operation, used, limit);
        }

        return new MemoryEditResult(file, entries, used, limit, changed);
    }

    private async ValueTask<IReadOnlyList<string>> ReadEntriesAsync(MemoryFile file, CancellationToken cancellationToken)
    {
        if (_documents is null)
        {
            return _files.Read(PathOf(file));
        }

        try
        {
            return await _documents.ReadAsync(_turn.Profile.Key, file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (MemoryException or OperationCanceledException))
        {
            throw new MemoryException($"{MemoryEntries.FileName(file)} could not be read from its store: {ex.Message}", ex);
        }
    }

    // The edit under the file's locks, or through the document store (which re-runs it when another writer got in
    // first): the last run's answer is whether the stored entries changed.
    private async ValueTask<(IReadOnlyList<string> Entries, bool Changed)> UpdateEntriesAsync(MemoryFile file, Func<List<string>, bool> edit, CancellationToken cancellationToken)
    {
        if (_documents is null)
        {
            return await _files.UpdateAsync(PathOf(file), edit, cancellationToken).ConfigureAwait(false);
        }

        var changed = false;
        try
        {
            var entries = await _documents.UpdateAsync(_turn.Profile.Key, file, entries => changed = edit(entries), cancellationToken).ConfigureAwait(false);
            return (entries, changed);
        }
        catch (Exception ex) when (ex is not (MemoryException or OperationCanceledException or AccessDeniedException))
        {
            throw new MemoryException($"{MemoryEntries.FileName(file)} could not be written to its store: {ex.Message}", ex);
        }
    }

    // Asked before anything else, the entry's validity included: a refused caller learns nothing more.
    private async ValueTask DemandWriteAsync(MemoryFile file, CancellationToken cancellationToken)
    {
        var action = file == MemoryFile.Shared ? PolicyActions.MemorySharedWrite : PolicyActions.MemoryWrite;
        var decision = await AuthorizeAsync(ResourceOf(file), action, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            throw new AccessDeniedException(action, ResourceOf(file), decision, $"You may not change {MemoryEntries.FileName(file)}");
        }
    }

    private async ValueTask<PolicyDecision> AuthorizeAsync(string resource, string action, CancellationToken cancellationToken)
    {
        _turn.ThrowIfNotCurrent();
        var decision = await _policy.AuthorizeAsync(action, resource, cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            Log.MemoryAccessDenied(_logger, action, _turn.Profile.Key, _turn.Profile.Role, decision.Reason);
        }

        return decision;
    }

    private string PathOf(MemoryFile file) => file switch
    {
        MemoryFile.Notes => _paths.NotesFile,
        MemoryFile.User => _paths.UserFile,
        MemoryFile.Shared => _sharedPath ??= Path.Combine(_snapshots.Current.Root, "memories", ProfilePaths.SharedMemoryFolder, SharedFileName),
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, "Unknown memory file; use Notes, User or Shared."),
    };

    // The path under the data root, for the policy and the audit: memories/<key>/MEMORY.md.
    private string ResourceOf(MemoryFile file) => file switch
    {
        MemoryFile.Notes => $"memories/{_turn.Profile.Key}/MEMORY.md",
        MemoryFile.User => $"memories/{_turn.Profile.Key}/USER.md",
        MemoryFile.Shared => $"memories/{ProfilePaths.SharedMemoryFolder}/{SharedFileName}",
        _ => throw new ArgumentOutOfRangeException(nameof(file), file, "Unknown memory file; use Notes, User or Shared."),
    };
}
