using System.Globalization;

namespace Hermes.Identity.Memory;

/// <summary>An edit would take a memory file over its limit. The message says how much room is left.</summary>
public sealed class MemoryLimitExceededException : MemoryException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file.</param>
    /// <param name="limit">Its limit in characters.</param>
    /// <param name="used">Characters it uses now.</param>
    /// <param name="wouldUse">Characters it would use after the edit.</param>
    internal MemoryLimitExceededException(MemoryFile file, int limit, int used, int wouldUse)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{MemoryEntries.FileName(file)} is limited to {limit:N0} characters. It uses {used:N0}, so {Math.Max(0, limit - used):N0} are left, " +
            $"and this edit would take it to {wouldUse:N0} ({wouldUse - limit:N0} over). Shorten the entry, or replace or remove entries that matter less first."))
    {
        File = file;
        Limit = limit;
        Used = used;
        WouldUse = wouldUse;
    }

    /// <summary>The file.</summary>
    public MemoryFile File { get; }

    /// <summary>Its limit in characters.</summary>
    public int Limit { get; }

    internal int Used { get; }

    internal int WouldUse { get; }

    /// <summary>Characters left before the limit.</summary>
    public int Remaining => Math.Max(0, Limit - Used);
}
