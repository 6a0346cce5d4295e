using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.PostgreSql.Tests;

// Service providers built as a host builds them, on one schema of the test server: each one is a "replica".
internal static class Stores
{
    public static ServiceProvider Provider(PostgresServer server, string schema, Action<IHermesIsolationBuilder>? extra = null, string? root = null, Action<PostgreSqlOptions>? tune = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddHermesIsolation(o => o.Root = root ?? Path.GetTempPath()).AddPostgreSqlState(o =>
        {
            o.ConnectionString = server.ConnectionString;
            o.Schema = schema;
            tune?.Invoke(o);
        });
        extra?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
