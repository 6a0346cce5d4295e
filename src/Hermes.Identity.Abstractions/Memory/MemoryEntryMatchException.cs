namespace Hermes.Identity.Memory;

/// <summary>A replace or remove named its entry by a substring that no entry, or more than one, contains.</summary>
public sealed class MemoryEntryMatchException : MemoryException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file searched.</param>
    /// <param name="matchCount">How many entries contain the substring (0, or 2 and more).</param>
    /// <param name="message">What happened and what to do.</param>
    internal MemoryEntryMatchException(MemoryFile file, int matchCount, string message)
        : base(message)
    {
        File = file;
        MatchCount = matchCount;
    }

    /// <summary>The file searched.</summary>
    public MemoryFile File { get; }

    /// <summary>How many entries contain the substring: 0, or 2 and more.</summary>
    public int MatchCount { get; }
}
