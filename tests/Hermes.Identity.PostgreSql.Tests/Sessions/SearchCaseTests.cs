using Hermes.Identity.Sessions;

namespace Hermes.Identity.PostgreSql.Tests.Sessions;

// The shared search cases on the SQLite store and on the PostgreSQL store: both give exactly the expected hits.
public sealed class SearchCaseTests(PostgresFixture postgres)
{
    [Fact]
    public async Task The_PostgreSQL_store_answers_every_shared_search_case()
    {
        await using var host = SessionHosts.PostgreSql(postgres.Require(), PostgresServer.NewSchema());
        await AssertCasesAsync(host);
    }

    [Fact]
    public async Task The_SQLite_store_answers_every_shared_search_case()
    {
        await using var host = SessionHosts.Sqlite();
        await AssertCasesAsync(host);
    }

    private static async Task AssertCasesAsync(HermesHost host)
    {
        await using (var other = host.Begin("telegram", Identities.Mei))
        {
            var store = SessionHosts.Sessions(other);
            var session = await store.StartNewSessionAsync(SearchCases.Title);
            await store.AppendAsync(session.Id, [.. SearchCases.OtherProfileMessages.Select(m => new SessionMessage(SessionRoles.User, m))]);
        }

        await using var turn = host.Begin("telegram", Identities.Louis);
        var sessions = SessionHosts.Sessions(turn);
        var mine = await sessions.StartNewSessionAsync(SearchCases.Title);
        await sessions.AppendAsync(mine.Id, [.. SearchCases.Messages.Select(m => new SessionMessage(SessionRoles.User, m))]);
        var byId = (await sessions.GetMessagesAsync(mine.Id)).ToDictionary(m => m.Id!.Value, m => m.Content);

        foreach (var (query, expected) in SearchCases.Cases)
        {
            var hits = await sessions.SearchAsync(query);
            var found = hits.Select(h => h.MessageId is { } id ? byId[id] : "title:" + h.SessionTitle).Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.Order(StringComparer.Ordinal).SequenceEqual(found), $"'{query}': expected [{string.Join(" | ", expected)}], found [{string.Join(" | ", found)}]");
            Assert.All(hits, h => Assert.Equal(mine.Id, h.SessionId));
        }
    }
}
