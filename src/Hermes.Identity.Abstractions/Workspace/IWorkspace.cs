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
    /// <c>workspace:</c> is <c>unrestricted</c> (the owner by default).
    /// </summary>
    bool IsConfined { get; }

    /// <summary>
    /// Opens a regular file for reading. The size limit is checked when the file is opened and while it is read:
    /// reading past <c>WorkspaceOptions.MaxFileBytes</c> (a file that grew) throws <see cref="WorkspaceAccessException"/>.
    /// </summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole regular file, up to <c>WorkspaceOptions.MaxFileBytes</c>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Reads a whole regular file as UTF-8 text, up to <c>WorkspaceOptions.MaxFileBytes</c>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, not a regular file or too large, or the policy denies reading.</exception>
    ValueTask<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Writes a file: creates it, or replaces its content when <paramref name="overwrite"/> is <see langword="true"/>.</summary>
    /// <param name="path">The file, relative to the workspace root. Its folder must exist.</param>
    /// <param name="content">The new content, up to <c>WorkspaceOptions.MaxFileBytes</c>.</param>
    /// <param name="overwrite">Whether an existing file is replaced; when <see langword="false"/>, an existing file is an error.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="WorkspaceAccessException">The path is refused or exists (without <paramref name="overwrite"/>), the content is too large, or the workspace is read-only for this role.</exception>
    ValueTask WriteAllBytesAsync(string path, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>Writes a file as UTF-8 text (no BOM); see <see cref="WriteAllBytesAsync"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or exists (without <paramref name="overwrite"/>), the content is too large, or the workspace is read-only for this role.</exception>
    ValueTask WriteAllTextAsync(string path, string content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds <paramref name="content"/> at the end of a file, creating the file if it is missing. The file with what is added
    /// must stay within <c>WorkspaceOptions.MaxFileBytes</c>; otherwise nothing is added.
    /// </summary>
    /// <param name="path">The file, relative to the workspace root. Its folder must exist.</param>
    /// <param name="content">What to add.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="WorkspaceAccessException">The path is refused or is not a regular file, the file would grow past the limit, or the file system failed the write.</exception>
    /// <exception cref="AccessDeniedException">The workspace is read-only for this role.</exception>
    ValueTask AppendAllBytesAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>Adds UTF-8 text (no BOM) at the end of a file; see <see cref="AppendAllBytesAsync"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or is not a regular file, the file would grow past the limit, or the file system failed the write.</exception>
    /// <exception cref="AccessDeniedException">The workspace is read-only for this role.</exception>
    ValueTask AppendAllTextAsync(string path, string content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves or renames a file, a folder (with everything in it) or a symbolic link (as a link, never what it points to)
    /// within the workspace. Both paths are resolved like every other path: neither end can be outside the workspace.
    /// </summary>
    /// <param name="source">What to move.</param>
    /// <param name="destination">Its new path; the folder it goes into must exist.</param>
    /// <param name="overwrite">
    /// Whether an existing destination is replaced (a file by a file, an empty folder by a folder). When <see langword="false"/>,
    /// an existing destination fails with <see cref="WorkspaceAccessReason.AlreadyExists"/> and nothing moves; on Linux the
    /// check and the move are one system call (<c>renameat2(RENAME_NOREPLACE)</c>).
    /// </param>
    /// <param name="cancellationToken">Cancels asking the policy.</param>
    /// <exception cref="WorkspaceAccessException">A path is refused or missing, the destination exists (without <paramref name="overwrite"/>) or is a non-empty folder, or a folder would move into itself.</exception>
    /// <exception cref="AccessDeniedException">The workspace is read-only for this role (the policy is asked <c>workspace.write</c> for both paths).</exception>
    ValueTask MoveAsync(string source, string destination, bool overwrite = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes everything inside a folder, depth first, and keeps the folder itself (delete it next with
    /// <see cref="DeleteAsync"/> if it should go too). Symbolic links inside are deleted as links and never followed; a
    /// folder named through a link is refused. Folders more than 256 levels deep fail with <see cref="WorkspaceAccessReason.TooLarge"/>.
    /// </summary>
    /// <param name="directory">The folder, or <see langword="null"/> for the whole workspace.</param>
    /// <param name="cancellationToken">Stops between entries; what was deleted stays deleted.</param>
    /// <returns>How many files, links and folders were deleted.</returns>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing, a link or not a folder, or an entry could not be deleted (what was deleted before it stays deleted).</exception>
    /// <exception cref="AccessDeniedException">The workspace is read-only for this role.</exception>
    ValueTask<int> DeleteContentsAsync(string? directory = null, CancellationToken cancellationToken = default);

    /// <summary>Describes the entry at <paramref name="path"/> without following it when it is a symbolic link (as <c>lstat</c>): a link is <see cref="WorkspaceEntryKind.SymbolicLink"/>.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, or the policy denies reading.</exception>
    ValueTask<WorkspaceEntry> GetLinkInfoAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// The text of the symbolic link at <paramref name="path"/>, exactly as stored: it is never followed, and it may name a
    /// place outside the workspace, which the workspace still refuses to open.
    /// </summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, or is not a link (<see cref="WorkspaceAccessReason.NotASymbolicLink"/>).</exception>
    ValueTask<string> ReadLinkAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Describes the file or directory at <paramref name="path"/> (a symbolic link inside the workspace is followed).</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, or the policy denies reading.</exception>
    ValueTask<WorkspaceEntry> GetInfoAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Lists a directory, sorted by name; symbolic links are listed as links, not followed.</summary>
    /// <param name="directory">The directory, or <see langword="null"/> for the workspace root.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <exception cref="WorkspaceAccessException">The path is refused, missing or not a directory, it has more than <c>WorkspaceOptions.MaxListEntries</c> entries, or the policy denies reading.</exception>
    ValueTask<IReadOnlyList<WorkspaceEntry>> ListAsync(string? directory = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, a symbolic link (never what it points to) or an empty directory.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused or missing, the directory is not empty, or the workspace is read-only for this role.</exception>
    ValueTask DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Creates a directory and any missing parents; an existing directory is fine.</summary>
    /// <exception cref="WorkspaceAccessException">The path is refused, a part of it is a file, or the workspace is read-only for this role.</exception>
    ValueTask CreateDirectoryAsync(string path, CancellationToken cancellationToken = default);
}
