namespace Hermes.Identity.Memory;

/// <summary>Limits of the memory files. Validated when the host starts.</summary>
/// <remarks>
/// Limits count characters (Unicode scalar values, so a Chinese character or an emoji is one) of the
/// entries joined by their <c>\n§\n</c> separators. They keep the system prompt small: the whole memory is
/// in every prompt.
/// </remarks>
public sealed class MemoryOptions
{
    /// <summary>The default limit of <c>MEMORY.md</c>: 2,200 characters.</summary>
    internal const int DefaultNotesLimit = 2_200;

    /// <summary>The default limit of <c>USER.md</c>: 1,375 characters.</summary>
    internal const int DefaultUserLimit = 1_375;

    /// <summary>The default limit of the shared <c>MEMORY.md</c>: 2,200 characters.</summary>
    internal const int DefaultSharedLimit = 2_200;

    /// <summary>The largest limit accepted: 100,000 characters.</summary>
    internal const int MaxLimit = 100_000;

    /// <summary>The limit of <c>MEMORY.md</c>, 1 to 100,000 characters. Default: 2,200.</summary>
    public int NotesLimit { get; set; } = DefaultNotesLimit;

    /// <summary>The limit of <c>USER.md</c>, 1 to 100,000 characters. Default: 1,375.</summary>
    public int UserLimit { get; set; } = DefaultUserLimit;

    /// <summary>The limit of the shared <c>MEMORY.md</c>, 1 to 100,000 characters. Default: 2,200.</summary>
    public int SharedLimit { get; set; } = DefaultSharedLimit;

    /// <summary>
    /// How long an edit waits for another writer (in this or another process) to finish with the same
    /// file before failing. 100 ms to 5 minutes; default: 10 seconds. Only contention waits: a write that
    /// cannot succeed (a read-only disk, a permission, a full disk) fails at once.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether memory folders are watched for edits made outside this host (another process, an editor, Hermes Agent's
    /// memory tool). Default: true.
    /// </summary>
    /// <remarks>
    /// <para>
    /// True: on Linux each memory folder in use is watched with inotify (at most 1,024 folders per process, one
    /// thread), and a turn whose memory is unchanged reads it from memory without a system call. An outside edit is in
    /// the prompts of turns that begin once the kernel's notice has reached the watcher, normally well under a
    /// millisecond after the edit; a turn that begins in between still shows the memory as it was. Where a watch cannot
    /// see an edit (another machine writing to a network file system, a parent folder replaced), the file is checked
    /// again at least once a second. Elsewhere (macOS, Windows), or where inotify is refused, it behaves as false; on
    /// Linux that is logged once per host (event 606).
    /// </para>
    /// <para>
    /// False: every turn checks the size and write time of each memory file it reads (one system call per file), so
    /// an outside edit finished before a turn begins is always in that turn's prompt.
    /// </para>
    /// <para>Edits made through <see cref="IMemoryStore"/> in this process are seen by the next read either way.</para>
    /// </remarks>
    public bool WatchForOutsideEdits { get; set; } = true;

    internal int LimitOf(MemoryFile file) => file switch
    {
        MemoryFile.Notes => NotesLimit,
        MemoryFile.User => UserLimit,
        _ => SharedLimit,
    };
}
