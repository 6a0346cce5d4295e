using Hermes.Identity;
using Hermes.Identity.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the SQLite identity directory to Hermes.Identity.</summary>
public static class SqliteDirectoryBuilderExtensions
{
    /// <summary>
    /// Takes people from a SQLite directory, <c>state/directory.db</c> under the data root, besides identities.yaml (which
    /// keeps the roles and tools, and wins on conflict): registers <see cref="SqliteIdentityDirectory"/> as a singleton
    /// (add, change and remove people through it) and follows it as the identity directory. Several processes may share
    /// the file. See docs/directory.md.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddSqliteDirectory(this IHermesIsolationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(sp => new SqliteIdentityDirectory(
            SqliteIdentityDirectory.DatabasePathUnder(sp.GetRequiredService<IOptions<HermesIsolationOptions>>().Value.Root)));
        return builder.AddIdentityDirectory(sp => sp.GetRequiredService<SqliteIdentityDirectory>());
    }
}
