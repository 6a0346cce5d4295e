using System.Diagnostics.CodeAnalysis;
using Hermes.Identity;
using Hermes.Identity.Policy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds policy backends and policy settings to Hermes.Identity.</summary>
public static class PolicyBuilderExtensions
{
    /// <summary>
    /// Adds <typeparamref name="TBackend"/> as a policy backend, asked after the built-in roles: an action goes
    /// ahead only if every backend allows it, and waits for an approval if any backend asks for one. A backend
    /// that throws or runs past <see cref="PolicyOptions.BackendTimeout"/> counts as a deny. Registered as a
    /// singleton; adding the same type twice adds it once.
    /// </summary>
    public static IHermesIsolationBuilder AddPolicyBackend<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TBackend>(this IHermesIsolationBuilder builder)
        where TBackend : class, IPolicyBackend
    {
        ArgumentNullException.ThrowIfNull(builder);
        PolicyServiceRegistration.AddBackend<TBackend>(builder.Services);
        return builder;
    }

    /// <summary>Sets <see cref="PolicyOptions"/>: the backend timeout, how long approvals last, the audit file.</summary>
    public static IHermesIsolationBuilder ConfigurePolicy(this IHermesIsolationBuilder builder, Action<PolicyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
