using Hermes.Identity;
using Hermes.Identity.Audit;
using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Hermes.Identity.PostgreSql;
using Hermes.Identity.PostgreSql.Audit;
using Hermes.Identity.PostgreSql.Changes;
using Hermes.Identity.PostgreSql.Database;
using Hermes.Identity.PostgreSql.Memory;
using Hermes.Identity.PostgreSql.Sessions;
using Hermes.Identity.PostgreSql.State;
using Hermes.Identity.Sessions;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts Hermes.Identity's shared state on PostgreSQL, for a gateway that runs as several replicas.</summary>
public static class PostgreSqlBuilderExtensions
{
    /// <summary>
    /// Puts the state store, the sessions and the memory on PostgreSQL: <see cref="AddPostgreSqlState"/>,
    /// <see cref="AddPostgreSqlSessions"/> and <see cref="AddPostgreSqlMemory"/> in one call. Options are validated when
    /// the host starts; the schema is created or migrated by the first call that reaches the database.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>: at least the connection string.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSql(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddPostgreSqlState(configure).AddPostgreSqlSessions().AddPostgreSqlMemory();
    }

    /// <summary>
    /// Keeps the identity layer's own state (pending pairings, approvals, grants, delegations, budgets) in PostgreSQL:
    /// registers <see cref="IIdentityStateStore"/> as a singleton, shared safely by every replica on the database. A revoked
    /// pairing, grant or delegation is notified (<c>NOTIFY</c>) to every replica, which applies it before its next decision.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>; may be left out when another AddPostgreSql call set them.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSqlState(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure = null)
    {
        AddDatabase(builder, configure);
        builder.Services.TryAddSingleton<IIdentityStateStore>(sp => new PostgreSqlStateStore(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<ChangeListener>()));
        return builder;
    }

    /// <summary>
    /// Keeps every profile's sessions and messages in PostgreSQL: <see cref="ISessionStore"/> (scoped to the turn, bound to
    /// its profile: every query is limited to that profile), <see cref="IAllSessionsReader"/> (the owner's policy-checked
    /// view of every profile) and <see cref="ISessionFiles"/> (export and erase of a person's sessions).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>; may be left out when another AddPostgreSql call set them.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSqlSessions(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure = null)
    {
        AddDatabase(builder, configure);
        var services = builder.Services;
        services.TryAddSingleton<ISessionFiles>(sp => new PostgreSqlSessionFiles(
            sp.GetRequiredService<PostgreSqlDatabase>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetService<IMemoryDocumentStore>() is PostgreSqlMemoryDocuments));
        services.TryAddScoped<ISessionStore>(sp => new PostgreSqlSessionStore(sp.GetRequiredService<TurnContext>(), sp.GetRequiredService<PostgreSqlDatabase>()));
        services.TryAddScoped<IAllSessionsReader>(sp => new PostgreSqlAllSessionsReader(
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<PostgreSqlDatabase>()));
        return builder;
    }

    /// <summary>
    /// Keeps the memory (each profile's <c>MEMORY.md</c> and <c>USER.md</c> entries, and the shared memory) in PostgreSQL:
    /// registers <see cref="IMemoryDocumentStore"/>, through which <see cref="IMemoryStore"/> reads and edits with the
    /// same rules, limits and errors as the files. Edits from several replicas never lose each other.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>; may be left out when another AddPostgreSql call set them.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSqlMemory(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure = null)
    {
        AddDatabase(builder, configure);
        builder.Services.TryAddSingleton<IMemoryDocumentStore>(sp => new PostgreSqlMemoryDocuments(sp.GetRequiredService<PostgreSqlDatabase>()));
        return builder;
    }

    /// <summary>
    /// Takes people from an identity directory in PostgreSQL besides identities.yaml (which keeps the roles and tools, and
    /// wins on conflict): registers <see cref="PostgreSqlIdentityDirectory"/> as a singleton (get it from the services to
    /// add, change and remove people) and follows it as <c>AddIdentityDirectory</c> does. Every write notifies every
    /// replica on the schema (<c>LISTEN/NOTIFY</c>), which applies it before its next decision; the refresh interval
    /// (<c>ConfigureIdentityDirectory</c>, 1 s by default) stays as the bound while a replica cannot listen.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>; may be left out when another AddPostgreSql call set them.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSqlDirectory(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure = null)
    {
        AddDatabase(builder, configure);
        builder.Services.TryAddSingleton(sp => new PostgreSqlIdentityDirectory(sp.GetRequiredService<PostgreSqlDatabase>(), sp.GetRequiredService<ChangeListener>()));
        return builder.AddIdentityDirectory(sp => sp.GetRequiredService<PostgreSqlIdentityDirectory>());
    }

    /// <summary>
    /// Writes every decision to the hash-chained decision audit in PostgreSQL (table <c>decision_audit</c>): one chain
    /// shared by every replica on the schema, each record committed before its decision returns. Registers an
    /// <see cref="IDecisionAuditSink"/>; opt-in, like the audit file, and not part of <see cref="AddPostgreSql"/>. A
    /// decision whose record could not be written (the server unreachable after the retries) is refused. Check the chain
    /// with <see cref="PostgreSqlAuditVerifier.VerifyAsync"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets <see cref="PostgreSqlOptions"/>; may be left out when another AddPostgreSql call set them.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddPostgreSqlAudit(this IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure = null)
    {
        AddDatabase(builder, configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IDecisionAuditSink, PostgreSqlAuditSink>(sp => new PostgreSqlAuditSink(sp.GetRequiredService<PostgreSqlDatabase>())));
        return builder;
    }

    private static void AddDatabase(IHermesIsolationBuilder builder, Action<PostgreSqlOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptionsWithValidateOnStart<PostgreSqlOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlOptions>, PostgreSqlOptionsRules>());
        services.TryAddSingleton(sp => new PostgreSqlDatabase(
            sp.GetRequiredService<IOptions<PostgreSqlOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new ChangeListener(sp.GetRequiredService<PostgreSqlDatabase>()));
    }
}
