using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests.State;

// The conformance suite against the PostgreSQL store as a host gets it: AddPostgreSqlState() on a fresh schema of the
// test server. A second instance is a second service provider on the same schema, as another replica would open it.
public sealed class PostgreSqlStateStoreConformanceTests(PostgresFixture postgres) : StateStoreConformance
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly Dictionary<IIdentityStateStore, string> _schemas = [];

    protected override ValueTask<IIdentityStateStore> CreateStoreAsync() => ValueTask.FromResult(Open(PostgresServer.NewSchema()));

    protected override ValueTask<IIdentityStateStore> OpenSameStorageAsync(IIdentityStateStore store) => ValueTask.FromResult(Open(_schemas[store]));

    public override async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    private IIdentityStateStore Open(string schema)
    {
        var provider = Stores.Provider(postgres.Require(), schema);
        _providers.Add(provider);
        var store = provider.GetRequiredService<IIdentityStateStore>();
        _schemas[store] = schema;
        return store;
    }
}
