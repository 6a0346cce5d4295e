using System.Text;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Hermes.Identity.Workspace;

// The IWorkspace of one turn: validates the path, asks the policy, then hands the path to the file
// system of the profile's workspace root, opened on first use and closed with the turn's scope.
internal sealed class ProfileWorkspace : IWorkspace, IDisposable
{
    private static int s_walkWarned;

    private readonly TurnContext _turn;
    private readonly AgentProfile _profile;
    private readonly PolicyEngine _policy;
    private readonly WorkspaceOptions _options;
    private readonly ILogger _logger;
    private WorkspaceFileSystem? _fileSystem;
    private int _disposed;

    public ProfileWorkspace(TurnContext turn, PolicyEngine policy, IIdentitySnapshotProvider snapshots, WorkspaceOptions options, ILoggerFactory? loggerFactory = null)
    {
        _turn = turn;
        var profile = _profile = turn.Profile;
        _policy = policy;
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Workspace");
        // A role the snapshot does not know is confined: fail closed. An automated sender the identity does not accept
        // gets at most the guest role's rights, so it is unconfined only if guest is too.
        var snapshot = snapshots.Current;
        IsConfined = !(Unrestricted(snapshot, profile.Role)
            && (!snapshot.RoleTable.IsCapped(profile, turn.Sender) || Unrestricted(snapshot, BuiltInRoles.Guest)));
    }

    public bool IsConfined { get; }

    private static bool Unrestricted(IdentitySnapshot snapshot, string role) =>
        snapshot.Roles.TryGetValue(role, out var definition) && definition.Workspace == WorkspaceConfinement.Unrestricted;

    public async ValueTask<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, path, cancellationToken).ConfigureAwait(false);
        var handle = OpenFile(path, WorkspaceFileMode.Read, out var length);
        if (length > _options.MaxFileBytes)
        {
            handle.Dispose();
            throw TooLarge(path);
        }

        return new WorkspaceReadStream(handle, path, _options.MaxFileBytes, () => TooLarge(path));
    }

    public async ValueTask<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, path, cancellationToken).ConfigureAwait(false);
        using var handle = OpenFile(path, WorkspaceFileMode.Read, out var length);
        var max = _options.MaxFileBytes;
        if (length > max)
        {
            throw TooLarge(path);
        }

        // Reads until end of file, one byte past the limit at most, so a file that grew since the check is still refused.
        var buffer = new byte[length + 1];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total > max)
                {
                    throw TooLarge(path);
                }

                Array.Resize(ref buffer, (int)Math.Min(max + 1L, buffer.Length * 2L));
            }

            var read = await WorkspaceFileSystem.ReadAsync(handle, buffer.AsMemory(total), total, path, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total > max)
        {
            throw TooLarge(path);
        }

        Array.Resize(ref buffer, total);
        return buffer;
    }

    public async ValueTask<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        return Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom);
    }

    public async ValueTask WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, path, cancellationToken).ConfigureAwait(false);
        if (content.Length > _options.MaxFileBytes)
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.TooLarge, $"The content is {content.Length:N0} bytes; workspace files are limited to {_options.MaxFileBytes:N0} bytes.");
        }

        using var handle = OpenFile(path, overwrite ? WorkspaceFileMode.CreateOrTruncate : WorkspaceFileMode.CreateNew);
        await WorkspaceFileSystem.WriteAsync(handle, content, path, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask WriteAllTextAsync(string path, string content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(content), overwrite, cancellationToken);
    }

    public async ValueTask AppendAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, path, cancellationToken).ConfigureAwait(false);
        using var handle = OpenFile(path, WorkspaceFileMode.Append, out var length);
        if (length + content.Length > _options.MaxFileBytes)
        {
            throw new WorkspaceAccessException(WorkspaceAccessReason.TooLarge,
                $"{WorkspacePath.Show(path)} is {length:N0} bytes; adding {content.Length:N0} would pass the workspace file limit of {_options.MaxFileBytes:N0} bytes, so nothing was added.");
        }

        await WorkspaceFileSystem.WriteAsync(handle, content, length, path, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask AppendAllTextAsync(string path, string content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return AppendAllBytesAsync(path, Encoding.UTF8.GetBytes(content), cancellationToken);
    }

    public async ValueTask MoveAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, source, cancellationToken).ConfigureAwait(false);
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, destination, cancellationToken).ConfigureAwait(false);
        Run(source, fs =>
        {
            fs.Move(source, destination, overwrite);
            return 0;
        });
    }

    public async ValueTask<int> DeleteContentsAsync(string? directory = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, directory, cancellationToken).ConfigureAwait(false);
        return Run(directory ?? ".", fs => fs.DeleteContents(directory, cancellationToken));
    }

    public async ValueTask<WorkspaceEntry> GetLinkInfoAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, path, cancellationToken).ConfigureAwait(false);
        return Run(path, fs => fs.GetLinkInfo(path));
    }

    public async ValueTask<string> ReadLinkAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, path, cancellationToken).ConfigureAwait(false);
        return Run(path, fs => fs.ReadLink(path));
    }

    public async ValueTask<WorkspaceEntry> GetInfoAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, path, cancellationToken).ConfigureAwait(false);
        return Run(path, fs => fs.GetInfo(path));
    }

    public async ValueTask<IReadOnlyList<WorkspaceEntry>> ListAsync(string? directory = null, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceRead, directory, cancellationToken).ConfigureAwait(false);
        return Run(directory ?? ".", fs => fs.List(directory, _options.MaxListEntries));
    }

    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, path, cancellationToken).ConfigureAwait(false);
        Run(path, fs =>
        {
            fs.Delete(path);
            return 0;
        });
    }

    public async ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(PolicyActions.WorkspaceWrite, path, cancellationToken).ConfigureAwait(false);
        Run(path, fs =>
        {
            fs.CreateDirectory(path);
            return 0;
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Interlocked.Exchange(ref _fileSystem, null)?.Dispose();
        }
    }

    // The path is checked as written before the policy sees it, so the policy never judges a malformed resource.
    private async ValueTask AuthorizeAsync(string action, string? path, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            path = WorkspacePath.Validate(path, IsConfined); // in NFC: the policy judges the name the file system will use
        }

        // The policy decides for the turn of this flow; the files are this turn's profile's: they must be one turn.
        _turn.ThrowIfNotCurrent();
        var decision = await _policy.AuthorizeAsync(action, path ?? ".", cancellationToken).ConfigureAwait(false);
        if (decision.IsAllowed)
        {
            return;
        }

        Log.WorkspaceDenied(_logger, action, WorkspacePath.Show(path ?? "."), _profile.Key, decision.Reason);
        throw new AccessDeniedException(action, path ?? ".", decision, action == PolicyActions.WorkspaceWrite
            ? $"The workspace is read-only for you, so {WorkspacePath.Show(path ?? ".")} was not changed"
            : "Reading the workspace is not allowed for you");
    }

    private SafeFileHandle OpenFile(string path, WorkspaceFileMode mode) => OpenFile(path, mode, out _);

    private SafeFileHandle OpenFile(string path, WorkspaceFileMode mode, out long length)
    {
        try
        {
            return FileSystem().OpenFile(path, mode, out length);
        }
        catch (WorkspaceAccessException ex) when (IsEscape(ex))
        {
            LogEscape(path, ex);
            throw;
        }
    }

    private T Run<T>(string path, Func<WorkspaceFileSystem, T> operation)
    {
        try
        {
            return operation(FileSystem());
        }
        catch (WorkspaceAccessException ex) when (IsEscape(ex))
        {
            LogEscape(path, ex);
            throw;
        }
    }

    private static bool IsEscape(WorkspaceAccessException ex) => ex.Reason is WorkspaceAccessReason.OutsideWorkspace or WorkspaceAccessReason.SymbolicLink;

    private void LogEscape(string path, WorkspaceAccessException ex) => Log.WorkspaceEscapeRefused(_logger, WorkspacePath.Show(path), _profile.Key, ex.Reason);

    private WorkspaceFileSystem FileSystem()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            _turn.ThrowIfNotCurrent();
            throw new NoActiveTurnException($"The workspace of profile '{_profile.Key}' was closed with its turn ({_turn.TurnId}).");
        }
        if (Volatile.Read(ref _fileSystem) is { } existing)
        {
            return existing;
        }

        var opened = WorkspaceFileSystem.Open(_profile.Paths.WorkspaceDirectory, IsConfined, _options.ForceOpenatWalk);
        if (Interlocked.CompareExchange(ref _fileSystem, opened, null) is { } raced)
        {
            opened.Dispose();
            return raced;
        }

        if (opened is LinuxWorkspaceFileSystem { Mode: LinuxResolveMode.OpenatWalk } && !_options.ForceOpenatWalk && Interlocked.Exchange(ref s_walkWarned, 1) == 0)
        {
            Log.WorkspaceOpenat2Unavailable(_logger);
        }

        Log.WorkspaceOpened(_logger, _profile.Key, opened.Mechanism, opened.IsConfined);
        return opened;
    }

    private WorkspaceAccessException TooLarge(string path) =>
        new(WorkspaceAccessReason.TooLarge, $"{WorkspacePath.Show(path)} is larger than {_options.MaxFileBytes:N0} bytes, the workspace file limit.");
}
