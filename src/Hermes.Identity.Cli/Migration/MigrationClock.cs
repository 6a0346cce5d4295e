namespace Hermes.Identity.Cli.Migration;

/// <summary>
/// The clock of the migration's data root: the system's, except while a Hermes session is written, when it reads the
/// session's own time, so the session store records when the conversation happened (messages carry their own times).
/// </summary>
internal sealed class MigrationClock : TimeProvider
{
    private DateTimeOffset? _fixed;

    public override DateTimeOffset GetUtcNow() => _fixed ?? base.GetUtcNow();

    public void Set(DateTimeOffset? time) => _fixed = time;
}
