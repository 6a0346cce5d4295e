using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.Sqlite.Tests.State;

// The conformance suite against the SQLite store as a host gets it: AddSqliteState() over a data root in a temp
// folder. A second instance is a second service provider on the same data root, as another process would open it.
public sealed class SqliteStateStoreConformanceTests : StateStoreConformance
{
    private readonly List<ServiceProvider> _providers = [];
    private readonly List<TempDirectory> _folders = [];
    private readonly Dictionary<IIdentityStateStore, string> _roots = [];

    protected override ValueTask<IIdentityStateStore> CreateStoreAsync()
    {
        var folder = new TempDirectory("state");
        _folders.Add(folder);
        return ValueTask.FromResult(Open(folder.Path));
    }

    protected override ValueTask<IIdentityStateStore> OpenSameStorageAsync(IIdentityStateStore store) => ValueTask.FromResult(Open(_roots[store]));

    public override async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        foreach (var folder in _folders)
        {
            folder.Dispose();
        }

        await base.DisposeAsync();
    }

    private IIdentityStateStore Open(string root)
    {
        var services = new ServiceCollection();
        services.AddHermesIsolation(o => o.Root = root).AddSqliteState();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        _providers.Add(provider);
        var store = provider.GetRequiredService<IIdentityStateStore>();
        _roots[store] = root;
        return store;
    }
}
