using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.PersonalData;

/// <summary>
/// Exports or erases one person's data — sessions, memory, workspace — touching that person's files only.
/// Resolve it from a turn's services; it acts for that turn's profile: <c>profile.export</c> / <c>profile.erase</c> is checked, and for
/// someone else's data <c>identity.admin</c> too. Every decision goes to the decision log.
/// </summary>
/// <remarks>
/// Files are walked through the same kernel-confined file system as the workspace: symbolic links are
/// never followed (they are skipped on export and unlinked on erase), and hard-linked files are not
/// exported, since their other name may belong to someone else.
/// </remarks>
public sealed class ProfileData
{
    private const int MaxEntries = 100_000;

    private readonly PolicyEngine _policy;
    private readonly TurnContext _turn;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly ISessionFiles? _sessions;
    private readonly ILogger _logger;

    internal ProfileData(PolicyEngine policy, TurnContext turn, IIdentitySnapshotProvider snapshots, ISessionFiles? sessions, ILoggerFactory? loggerFactory)
    {
        _policy = policy;
        _turn = turn;
        _snapshots = snapshots;
        _sessions = sessions;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.PersonalData");
    }

    /// <summary>Copies profile <paramref name="profileKey"/>'s data into <paramref name="destination"/>, a new or empty folder outside the data root.</summary>
    /// <exception cref="AccessDeniedException">The policy refused.</exception>
    /// <exception cref="NoActiveTurnException">The turn this service was resolved in is not the one in progress (or has ended).</exception>
    /// <exception cref="IOException">The destination is not empty, or is inside the data root.</exception>
    public async Task<ProfileDataExport> ExportAsync(string profileKey, string destination, CancellationToken cancellationToken = default)
    {
        ProfileKey.ThrowIfInvalid(profileKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var actor = await AuthorizeAsync(PolicyActions.ProfileExport, profileKey, cancellationToken).ConfigureAwait(false);

        var root = _snapshots.Current.Root;
        var paths = _snapshots.Current.GetPaths(profileKey);
        var target = Path.GetFullPath(destination);
        if (IsUnder(target, root))
        {
            // Inside the data root, the copy could land in someone's workspace and be read by them.
            throw new IOException($"Export to a folder outside the data root ({root}); '{target}' is inside it.");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"The export folder '{target}' is not empty. Give a new or empty folder.");
        }

        Directory.CreateDirectory(target);
        var skipped = new List<string>();
        var files = 0;
        long bytes = 0;

        if (_sessions is not null)
        {
            var db = Path.Combine(target, "sessions", "state.db");
            Directory.CreateDirectory(Path.GetDirectoryName(db)!);
            if (await _sessions.ExportAsync(paths.SessionDatabase, db, cancellationToken).ConfigureAwait(false))
            {
                files++;
                bytes += new FileInfo(db).Length;
            }
        }

        foreach (var (source, name) in new[] { (paths.MemoryDirectory, "memories"), (paths.WorkspaceDirectory, "workspace") })
        {
            if (!Directory.Exists(source))
            {
                continue;
            }

            using var fs = WorkspaceFileSystem.Open(source, confined: true, exactNames: true);
            var into = Path.Combine(target, name);
            Directory.CreateDirectory(into);
            // The memory folder's lock files (MEMORY.md.lock, USER.md.lock) and dot files (temp files) are the store's, not the person's data.
            var skipDotFiles = name == "memories";
            (files, bytes) = await CopyAsync(fs, null, into, skipped, skipDotFiles, files, bytes, depth: 0, cancellationToken).ConfigureAwait(false);
        }

        Log.ProfileExported(_logger, profileKey, actor.Key, files, skipped.Count);
        return new ProfileDataExport(profileKey, target, files, bytes, skipped);
    }

    /// <summary>Deletes profile <paramref name="profileKey"/>'s session database, memory folder and workspace.</summary>
    /// <remarks>The identity itself stays in identities.yaml: remove it there so the person is not admitted again.</remarks>
    /// <exception cref="AccessDeniedException">The policy refused.</exception>
    /// <exception cref="NoActiveTurnException">The turn this service was resolved in is not the one in progress (or has ended).</exception>
    public async Task<ProfileDataErasure> EraseAsync(string profileKey, CancellationToken cancellationToken = default)
    {
        ProfileKey.ThrowIfInvalid(profileKey);
        var actor = await AuthorizeAsync(PolicyActions.ProfileErase, profileKey, cancellationToken).ConfigureAwait(false);
        var paths = _snapshots.Current.GetPaths(profileKey);

        var sessionErased = _sessions is not null && await _sessions.EraseAsync(paths.SessionDatabase, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        foreach (var folder in new[] { paths.MemoryDirectory, paths.WorkspaceDirectory, Path.GetDirectoryName(paths.SessionDatabase)! })
        {
            if (!Directory.Exists(folder))
            {
                continue;
            }

            using (var fs = WorkspaceFileSystem.Open(folder, confined: true, exactNames: true))
            {
                deleted += DeleteContents(fs, null, depth: 0);
            }

            Directory.Delete(folder);
            deleted++;
        }

        Log.ProfileErased(_logger, profileKey, actor.Key, deleted);
        return new ProfileDataErasure(profileKey, sessionErased, deleted);
    }

    private async Task<AgentProfile> AuthorizeAsync(string action, string profileKey, CancellationToken cancellationToken)
    {
        _turn.ThrowIfNotCurrent(); // bound to the turn it was resolved in: nobody else can act through it
        var actor = _turn.Profile;
        var resource = "profile:" + profileKey;
        var decision = await _policy.AuthorizeAsync(action, resource, cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed && !string.Equals(actor.Key, profileKey, StringComparison.Ordinal))
        {
            decision = await _policy.AuthorizeAsync(PolicyActions.IdentityAdmin, resource, cancellationToken).ConfigureAwait(false);
        }

        if (!decision.IsAllowed)
        {
            Log.ProfileDataRefused(_logger, action, profileKey, actor.Key, decision.Reason);
            throw new AccessDeniedException(action, resource, decision, $"You may not {(action == PolicyActions.ProfileErase ? "erase" : "export")} the data of profile '{profileKey}'");
        }

        return actor;
    }

    private static async Task<(int Files, long Bytes)> CopyAsync(
        WorkspaceFileSystem fs, string? directory, string into, List<string> skipped, bool skipDotFiles, int files, long bytes, int depth, CancellationToken cancellationToken)
    {
        foreach (var entry in fs.List(directory, MaxEntries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (skipDotFiles && (entry.Name.StartsWith('.') || (depth == 0 && entry.Name is "MEMORY.md.lock" or "USER.md.lock")))
            {
                continue;
            }

            var destination = Path.Combine(into, entry.Name);
            switch (entry.Kind)
            {
                case WorkspaceEntryKind.Directory when depth < 64:
                    Directory.CreateDirectory(destination);
                    (files, bytes) = await CopyAsync(fs, entry.Path, destination, skipped, skipDotFiles, files, bytes, depth + 1, cancellationToken).ConfigureAwait(false);
                    break;
                case WorkspaceEntryKind.File:
                    try
                    {
                        using var handle = fs.OpenFile(entry.Path, WorkspaceFileMode.Read);
                        using var source = new FileStream(handle, FileAccess.Read);
                        using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
                        await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                        files++;
                        bytes += target.Length;
                    }
                    catch (WorkspaceAccessException ex)
                    {
                        skipped.Add($"{entry.Path}: {ex.Reason}");
                    }

                    break;
                default:
                    skipped.Add($"{entry.Path}: {entry.Kind}");
                    break;
            }
        }

        return (files, bytes);
    }

    // Depth first through the confined file system: links are unlinked, never followed.
    private static int DeleteContents(WorkspaceFileSystem fs, string? directory, int depth)
    {
        var deleted = 0;
        foreach (var entry in fs.List(directory, MaxEntries))
        {
            if (entry.Kind == WorkspaceEntryKind.Directory && depth < 64)
            {
                deleted += DeleteContents(fs, entry.Path, depth + 1);
            }

            fs.Delete(entry.Path);
            deleted++;
        }

        return deleted;
    }

    private static bool IsUnder(string path, string root)
    {
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return path.StartsWith(prefix, comparison) || string.Equals(Path.TrimEndingDirectorySeparator(path), Path.TrimEndingDirectorySeparator(root), comparison);
    }
}
