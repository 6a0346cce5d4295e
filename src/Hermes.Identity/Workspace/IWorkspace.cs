namespace Hermes.Identity.Workspace;

/// <summary>
/// The files of the current turn's profile, under <c>workspaces/&lt;key&gt;/</c>. Resolve it from the turn's
/// services; it is bound to that profile and takes no user argument, so a tool running for one person cannot
/// name another's files. Paths are relative to the workspace root with <c>/</c> separators.
/// </summary>
/// <remarks>
/// Every operation asks the policy first (<c>workspace.read</c> or <c>workspace.write</c>, the path as the
/// resource). On Linux the kernel resolves each path from the root's directory handle and refuses any that
/// leads outside; only regular files and directories are served. Failures throw
/// <see cref="WorkspaceAccessException"/>, whose message is safe to show the user and the model.
/// </remarks>
public interface IWorkspace
{
    /// <summary>
    /// Whether paths are confined to the workspace folder. <see langword="false"/> for a role whose
    /// <see cref="RoleDefinition.Workspace"/> is <see cref="WorkspaceConfinement.Unrestricted"/> (the owner by default).
    /// </summary>
    bool IsConfined { get; }

    /// <summary>
    /// Opens a regular file for reading. The size limit is checked when the file is opened and while it is read:
    /// reading past <see cref="WorkspaceOptions.MaxFileBytes"/> (a file that grew) throws <see cref="WorkspaceAccessException"/>.
    /// </summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole regular file, up to <see cref="WorkspaceOptions.MaxFileBytes"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole regular file as UTF-8 text, up to <see cref="WorkspaceOptions.MaxFileBytes"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a file: creates it, or replaces its content when <paramref name="overwrite"/> is <see langword="true"/>.</summary>
    /// <param name="path">The file, relative to the workspace root. Its folder must exist.</param>
    /// <param name="content">The new content, up to <see cref="WorkspaceOptions.MaxFileBytes"/>.</param>
    /// <param name="overwrite">Whether an existing file is replaced; when <see langword="false"/>, an existing file is an error.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="WorkspaceAccessException">The path is refused or exists (without <paramref name="overwrite"/>), the content is too large, or the workspace is read-only for this role.</exception>
    ValueTask WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>Writes a file as UTF-8 text (no BOM); see <see cref="WriteAllBytesAsync"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or exists (without <paramref name="overwrite"/>), the content is too large, or the workspace is read-only for this role.</exception>
    ValueTask WriteAllTextAsync(string path, string content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>Describes the file or directory at <paramref name="path"/> (a symbolic link inside the workspace is followed).</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, or the policy denies reading.</exception>
    ValueTask<WorkspaceEntry> GetInfoAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists a directory, sorted by name; symbolic links are listed as links, not followed.</summary>
    /// <param name="directory">The directory, or <see langword="null"/> for the workspace root.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing or not a directory, it has more than <see cref="WorkspaceOptions.MaxListEntries"/> entries, or the policy denies reading.</exception>
    ValueTask<IReadOnlyList<WorkspaceEntry>> ListAsync(string? directory = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, a symbolic link (never what it points to) or an empty directory.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, the directory is not empty, or the workspace is read-only for this role.</exception>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates a directory and any missing parents; an existing directory is fine.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, a part of it is a file, or the workspace is read-only for this role.</exception>
    ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken = default);
}
