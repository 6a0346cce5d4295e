using Hermes.Identity.Workspace;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.Internal;

// The workspace's log lines: event ids 500-599.
internal static partial class Log
{
    [LoggerMessage(500, LogLevel.Debug, "Workspace of profile {Profile} opened: {Mechanism}, confined: {Confined}.", EventName = "WorkspaceOpened")]
    public static partial void WorkspaceOpened(ILogger logger, string profile, string mechanism, bool confined);

    [LoggerMessage(501, LogLevel.Warning, "openat2 is not available (old kernel or a seccomp filter); workspaces use the openat(O_NOFOLLOW) walk, which refuses every symbolic link and '..'.", EventName = "WorkspaceOpenat2Unavailable")]
    public static partial void WorkspaceOpenat2Unavailable(ILogger logger);

    [LoggerMessage(502, LogLevel.Warning, "Refused workspace path {Path} for profile {Profile}: {Reason}.", EventName = "WorkspaceEscapeRefused")]
    public static partial void WorkspaceEscapeRefused(ILogger logger, string path, string profile, WorkspaceAccessReason reason);

    [LoggerMessage(503, LogLevel.Information, "Workspace {Action} on {Path} denied for profile {Profile}: {Reason}", EventName = "WorkspaceDenied")]
    public static partial void WorkspaceDenied(ILogger logger, string action, string path, string profile, string reason);
}
