namespace Hermes.Identity.TestSupport;

/// <summary>
/// The deadline of a wait that should end by a signal (a line printed, a task finished): reached, it means a hang.
/// Generous on purpose, so a slow or busy machine never reaches it; it is no measure of speed.
/// </summary>
public static class HangGuard
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
}
