using Hermes.Identity;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The optional parts of Hermes.Identity that live in this package.</summary>
public static class HermesIsolationBuilderExtensions
{
    /// <summary>
    /// Reads identities from <paramref name="path"/> (instead of <c>identities.yaml</c> under the data root),
    /// reloading it when it changes. An invalid edit keeps the last good configuration and logs the error.
    /// </summary>
    /// <remarks>
    /// Replace the file by rename: write a temporary file in the same folder, then rename it over the old one, so a
    /// reload never reads half a file. The path may be a symbolic link, such as a Kubernetes ConfigMap mount; an update
    /// behind the link is reloaded too. Deleting the file logs a warning and keeps the last good configuration in force
    /// until the file is back, when it is reloaded.
    /// <see cref="IIdentitySnapshotProvider.GetReloadToken"/> fires after each reload that changed the configuration.
    /// </remarks>
    public static IHermesIsolationBuilder AddYamlIdentities(this IHermesIsolationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.Configure<HermesIsolationOptions>(o => o.IdentitiesFile = path);
        return builder;
    }
}
