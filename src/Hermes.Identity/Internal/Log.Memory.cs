using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// Memory: 6xx. Never the entries themselves: they are personal.
internal static partial class Log
{
    [LoggerMessage(600, LogLevel.Debug, "Memory {File} of profile {Profile}: {Operation}, {Used} of {Limit} characters used.", EventName = "MemoryChanged")]
    public static partial void MemoryChanged(ILogger logger, string file, string profile, string operation, int used, int limit);

    [LoggerMessage(601, LogLevel.Information, "Memory {Action} refused for profile {Profile} ({Role}): {Reason}", EventName = "MemoryAccessDenied")]
    public static partial void MemoryAccessDenied(ILogger logger, string action, string profile, string role, string reason);

    [LoggerMessage(602, LogLevel.Information, "Removed {Count} stale temp files of memory writers that stopped mid-write in {Directory}.", EventName = "MemoryStaleTempFilesRemoved")]
    public static partial void MemoryStaleTempFilesRemoved(ILogger logger, int count, string directory);

    [LoggerMessage(603, LogLevel.Warning, "Could not sweep stale memory temp files in {Directory}: {Reason}", EventName = "MemoryTempSweepFailed")]
    public static partial void MemoryTempSweepFailed(ILogger logger, string directory, string reason);

    [LoggerMessage(604, LogLevel.Warning, "Memory folders cannot be flushed to disk on this platform (no libc found): a power cut right after a memory write may lose that write. Writes are still atomic.", EventName = "MemoryFolderFlushUnavailable")]
    public static partial void MemoryFolderFlushUnavailable(ILogger logger);

    [LoggerMessage(605, LogLevel.Warning, "Memory file {Path} was not written: {Reason}", EventName = "MemoryWriteFailed")]
    public static partial void MemoryWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(606, LogLevel.Information, "Memory folders cannot be watched here ({Reason}): each turn checks the size and write time of every memory file it reads instead, one system call per file.", EventName = "MemoryWatchUnavailable")]
    public static partial void MemoryWatchUnavailable(ILogger logger, string reason);
}
