using Npgsql;

namespace Hermes.Identity.PostgreSql.Changes;

// The NOTIFY channel of one schema, and what its payloads say. A write that may take a right away notifies in its own
// transaction, so the notification is delivered when (and only if) the write commits: "d<version>" for a directory
// write, "s<sequence>" for a state commit that touched paired accounts, grants or delegations.
internal static class ChangeChannel
{
    public const char Directory = 'd';
    public const char State = 's';

    // The state records whose change may take a right away: the paired accounts (a revoked pairing), grants (a revoked
    // grant) and delegations (a revoked delegation). The kinds the core writes (docs/state.md); budgets, approvals and
    // pending pairing codes are not notified: they never take a right away and change on every call.
    private static readonly string[] WatchedKinds = ["pairing.paired", "grant", "delegation"];

    // One channel per schema: "<schema>_changes" (the schema is at most 63 characters; a longer name is cut, as
    // PostgreSQL cuts identifiers, so LISTEN and NOTIFY agree).
    public static string Name(string schema)
    {
        var name = schema + "_changes";
        return name.Length <= 63 ? name : name[..63];
    }

    public static bool IsWatched(string kind) => Array.IndexOf(WatchedKinds, kind) >= 0;

    // The NOTIFY, as a batch command to run inside the writing transaction.
    public static NpgsqlBatchCommand Notify(string schema, char what, long version)
    {
        var command = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name(schema) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = what + version.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return command;
    }
}
