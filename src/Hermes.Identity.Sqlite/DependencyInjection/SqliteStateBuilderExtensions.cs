using Hermes.Identity;
using Hermes.Identity.Sqlite;
using Hermes.Identity.Sqlite.State;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite state store to Hermes.Identity.</summary>
public static class SqliteStateBuilderExtensions
{
    /// <summary>
    /// Keeps the identity layer's own state (pending pairings, approvals, grants, delegations, budgets) in one SQLite
    /// database, <c>state/identity.db</c> under the data root: registers <see cref="IIdentityStateStore"/> as a singleton.
    /// Several processes may share the file. Options are validated when the host starts; the file is opened on first use.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="SqliteStateOptions"/>, such as the busy timeout.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddSqliteState(this IHermesIsolationBuilder builder, Action<SqliteStateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<SqliteStateOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStateOptions>, SqliteStateOptionsRules>());
        services.TryAddSingleton<IIdentityStateStore>(sp => new SqliteStateStore(
            SqliteStateStore.DatabasePathUnder(sp.GetRequiredService<IOptions<HermesIsolationOptions>>().Value.Root),
            sp.GetRequiredService<IOptions<SqliteStateOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()));
        return builder;
    }
}
