using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.Sessions;

// Hosts on one schema of the test server, with the PostgreSQL sessions (and memory, when asked): louis the owner on
// telegram:111, mei trusted on telegram:222, as in the story.
internal static class SessionHosts
{
    public static HermesHost PostgreSql(PostgresServer server, string schema, bool memory = false, string? yaml = null) =>
        new(yaml ?? Identities.Household(), isolation: builder =>
        {
            builder.AddPostgreSqlSessions(o =>
            {
                o.ConnectionString = server.ConnectionString;
                o.Schema = schema;
            });
            if (memory)
            {
                builder.AddPostgreSqlMemory();
            }
        });

    public static HermesHost Sqlite() => new(Identities.Household(), isolation: builder => builder.AddSqliteSessions());

    public static Hermes.Identity.Sessions.ISessionStore Sessions(TurnScope turn) => turn.Services.GetRequiredService<Hermes.Identity.Sessions.ISessionStore>();
}
