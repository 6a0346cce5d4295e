using Hermes.Identity;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The optional parts of Hermes.Identity that live in this package.</summary>
public static class HermesIsolationBuilderExtensions
{
    /// <summary>
    /// Reads identities from <paramref name="path"/> (instead of <c>identities.yaml</c> under the data root),
    /// reloading it when it changes. An invalid edit keeps the last good configuration and logs the error.
    /// </summary>
    public static IHermesIsolationBuilder AddYamlIdentities(this IHermesIsolationBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.Configure<HermesIsolationOptions>(o => o.IdentitiesFile = path);
        return builder;
    }
}
