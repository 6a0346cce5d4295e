using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.Sessions;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.Sessions;
using Hermes.Identity.Sqlite.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite session store to Hermes.Identity.</summary>
public static class SqliteSessionsBuilderExtensions
{
    /// <summary>
    /// Stores each profile's sessions in its own SQLite database, <c>agents/&lt;key&gt;/state.db</c> under the data root:
    /// <see cref="ISessionStore"/> (scoped to the turn, bound to its profile) and <see cref="IAllSessionsReader"/>
    /// (the owner's policy-checked view of every profile). Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="SqliteSessionOptions"/>, such as the open-database bound.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddSqliteSessions(this IHermesIsolationBuilder builder, Action<SqliteSessionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<SqliteSessionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteSessionOptions>, SqliteSessionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteSessionOptions>, SqliteSessionOptionsRules>());

        services.TryAddSingleton(sp => new SessionDatabasePool(
            sp.GetRequiredService<IOptions<SqliteSessionOptions>>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<ISessionFiles>(sp => new SessionDatabaseFiles(sp.GetRequiredService<SessionDatabasePool>()));
        services.TryAddScoped<ISessionStore>(sp => new SqliteSessionStore(
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<SessionDatabasePool>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped<IAllSessionsReader>(sp => new SqliteAllSessionsReader(
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<SessionDatabasePool>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetService<ILoggerFactory>()));
        return builder;
    }
}
