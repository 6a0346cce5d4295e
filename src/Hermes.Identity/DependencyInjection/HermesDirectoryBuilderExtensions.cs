using System.Diagnostics.CodeAnalysis;
using Hermes.Identity.Configuration;
using Hermes.Identity.Directories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds an identity directory: people kept outside identities.yaml, roles and tools kept in it (docs/directory.md).</summary>
public static class HermesDirectoryBuilderExtensions
{
    /// <summary>
    /// Takes people from <typeparamref name="TDirectory"/> (a singleton) besides identities.yaml: the snapshot in force is
    /// identities.yaml's roles, tools and people plus the directory's people, identities.yaml winning on conflict, under the
    /// revision <c>&lt;yaml revision&gt;+d&lt;directory version&gt;</c>. One directory per host: the first registered wins.
    /// </summary>
    /// <typeparam name="TDirectory">The directory.</typeparam>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddIdentityDirectory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDirectory>(this IHermesIsolationBuilder builder)
        where TDirectory : class, IIdentityDirectory
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IIdentityDirectory, TDirectory>();
        return AddFollower(builder);
    }

    /// <summary>Takes people from the directory <paramref name="factory"/> makes (once): see <see cref="AddIdentityDirectory{TDirectory}"/>.</summary>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="factory">Makes the directory.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder AddIdentityDirectory(this IHermesIsolationBuilder builder, Func<IServiceProvider, IIdentityDirectory> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.TryAddSingleton(factory);
        return AddFollower(builder);
    }

    /// <summary>Sets how the snapshot follows the identity directory (<see cref="IdentityDirectoryOptions.RefreshInterval"/>). Validated when the host starts.</summary>
    /// <example><c>services.AddHermesIsolation().AddSqliteDirectory().ConfigureIdentityDirectory(d => d.RefreshInterval = TimeSpan.FromSeconds(5));</c></example>
    /// <param name="builder">The builder returned by <c>AddHermesIsolation</c>.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static IHermesIsolationBuilder ConfigureIdentityDirectory(this IHermesIsolationBuilder builder, Action<IdentityDirectoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    private static IHermesIsolationBuilder AddFollower(IHermesIsolationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<IdentityDirectoryOptions>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityDirectoryOptions>, IdentityDirectoryOptionsValidator>());
        services.TryAddSingleton(sp => new DirectoryIdentitySnapshotProvider(
            sp.GetRequiredService<YamlIdentitySnapshotProvider>(),
            sp.GetRequiredService<IIdentityDirectory>(),
            sp.GetRequiredService<IOptions<IdentityDirectoryOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Directories")));
        return builder;
    }
}
