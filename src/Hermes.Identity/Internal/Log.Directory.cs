using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// The identity directory: 17xx.
internal static partial class Log
{
    [LoggerMessage(1700, LogLevel.Information, "Read {Count} people of the identity directory at version {Version} in {Milliseconds} ms.", EventName = "DirectoryLoaded")]
    public static partial void DirectoryLoaded(ILogger logger, int count, long version, long milliseconds);

    [LoggerMessage(1701, LogLevel.Information, "The identity directory moved to version {Version} ({Changed} added or changed, {Removed} removed): revision {Previous} -> {Revision}.", EventName = "DirectoryChanged")]
    public static partial void DirectoryChanged(ILogger logger, long version, int changed, int removed, string previous, string revision);

    [LoggerMessage(1702, LogLevel.Warning, "Identity directory under revision {Revision}: {Message}", EventName = "DirectoryEntryOverridden")]
    public static partial void DirectoryEntryOverridden(ILogger logger, string revision, string message);

    [LoggerMessage(1703, LogLevel.Warning, "The identity directory cannot be read; the snapshot in force ({Revision}) stays until a read succeeds.", EventName = "DirectoryRefreshFailed")]
    public static partial void DirectoryRefreshFailed(ILogger logger, string revision, Exception exception);
}
