namespace Hermes.Identity.Memory;

/// <summary>
/// The long-term memory of the turn's profile: its <c>MEMORY.md</c> and <c>USER.md</c>, and the shared
/// memory if its role is granted it. Resolve it from <c>TurnScope.Services</c>; it is bound to
/// that turn's profile and takes no user argument, so nothing can point it at another person's files.
/// </summary>
/// <remarks>
/// Every call asks the <c>PolicyEngine</c> first. Edits are whole-file rewrites made under
/// a lock (in this process and across processes), written to a temp file, flushed to disk, renamed
/// over the file and the folder flushed: a crash leaves the old content or the new, never a mix.
/// Errors a tool should pass to the model derive from <see cref="MemoryException"/> and say what to do.
/// </remarks>
public interface IMemoryStore
{
    /// <summary>
    /// Reads the memory for the system prompt. The own files are empty (and
    /// <see cref="MemorySnapshot.IsOwnMemoryReadable"/> is false) when the role lacks <c>memory.read</c>;
    /// <see cref="MemorySnapshot.Shared"/> is <see langword="null"/> when it lacks <c>memory.shared.read</c>.
    /// </summary>
    /// <exception cref="MemoryException">A memory file exists but cannot be read (too large, not UTF-8).</exception>
    /// <exception cref="NoActiveTurnException">The store is used outside the turn it belongs to.</exception>
    ValueTask<MemorySnapshot> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="entry"/> at the end of <paramref name="file"/>. Adding an entry that is already there changes nothing.</summary>
    /// <param name="file">The file to add to.</param>
    /// <param name="entry">The text; surrounding white space is trimmed. It may span lines, but no line may be <c>§</c> alone.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; a write that has begun completes.</param>
    /// <returns>The file's entries and usage after the edit.</returns>
    /// <exception cref="AccessDeniedException">The policy refused the write.</exception>
    /// <exception cref="MemoryLimitExceededException">The entry does not fit; the message says how much room is left.</exception>
    /// <exception cref="MemoryException">The entry is empty or malformed, the file stays locked for too long, or it cannot be written (it is then unchanged).</exception>
    ValueTask<MemoryEditResult> AddAsync(MemoryFile file, string entry, CancellationToken cancellationToken = default);

    /// <summary>Replaces the one entry of <paramref name="file"/> that contains <paramref name="uniqueSubstring"/> with <paramref name="newEntry"/>.</summary>
    /// <param name="file">The file to edit.</param>
    /// <param name="uniqueSubstring">Text (ordinal, case-sensitive) that exactly one entry contains.</param>
    /// <param name="newEntry">The replacement text, with the same rules as for <see cref="AddAsync"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; a write that has begun completes.</param>
    /// <returns>The file's entries and usage after the edit.</returns>
    /// <exception cref="AccessDeniedException">The policy refused the write.</exception>
    /// <exception cref="MemoryEntryMatchException">No entry, or more than one, contains the substring.</exception>
    /// <exception cref="MemoryLimitExceededException">The new entry does not fit.</exception>
    /// <exception cref="MemoryException">The new entry is empty or malformed, the file stays locked for too long, or it cannot be written (it is then unchanged).</exception>
    ValueTask<MemoryEditResult> ReplaceAsync(MemoryFile file, string uniqueSubstring, string newEntry, CancellationToken cancellationToken = default);

    /// <summary>Removes the one entry of <paramref name="file"/> that contains <paramref name="uniqueSubstring"/>.</summary>
    /// <param name="file">The file to edit.</param>
    /// <param name="uniqueSubstring">Text (ordinal, case-sensitive) that exactly one entry contains.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock; a write that has begun completes.</param>
    /// <returns>The file's entries and usage after the edit.</returns>
    /// <exception cref="AccessDeniedException">The policy refused the write.</exception>
    /// <exception cref="MemoryEntryMatchException">No entry, or more than one, contains the substring.</exception>
    /// <exception cref="MemoryException">The file stays locked for too long, or it cannot be written (it is then unchanged).</exception>
    ValueTask<MemoryEditResult> RemoveAsync(MemoryFile file, string uniqueSubstring, CancellationToken cancellationToken = default);
}
