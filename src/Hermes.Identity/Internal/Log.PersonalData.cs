using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// Export and erase of one person's data: 800-899.
internal static partial class Log
{
    [LoggerMessage(800, LogLevel.Information, "Exported the data of profile {Profile} for {Actor}: {Files} files, {Skipped} entries skipped.", EventName = "ProfileExported")]
    public static partial void ProfileExported(ILogger logger, string profile, string actor, int files, int skipped);

    [LoggerMessage(801, LogLevel.Warning, "Erased the data of profile {Profile} for {Actor}: {Entries} entries deleted.", EventName = "ProfileErased")]
    public static partial void ProfileErased(ILogger logger, string profile, string actor, int entries);

    [LoggerMessage(802, LogLevel.Warning, "Refused {Action} on profile {Profile} for {Actor}: {Reason}", EventName = "ProfileDataRefused")]
    public static partial void ProfileDataRefused(ILogger logger, string action, string profile, string actor, string reason);
}
