using System.Diagnostics.Metrics;
using Hermes.Identity;
using Hermes.Identity.Configuration;
using Hermes.Identity.Delegations;
using Hermes.Identity.Internal;
using Hermes.Identity.Turns;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Hermes.Identity.</summary>
public static class HermesIsolationServiceCollectionExtensions
{
    /// <summary>
    /// Adds per-person identity and isolation: the identity resolver (identities.yaml under the data root
    /// unless <c>AddYamlIdentities</c> says otherwise), turns, the current profile and the policy engine.
    /// Options and the identities file are validated when the host starts. Registrations you made first win.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="HermesIsolationOptions"/>, such as the data root.</param>
    /// <returns>A builder for the optional parts.</returns>
    public static IHermesIsolationBuilder AddHermesIsolation(this IServiceCollection services, Action<HermesIsolationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptionsWithValidateOnStart<HermesIsolationOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HermesIsolationOptions>, HermesIsolationOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HermesIsolationOptions>, HermesIsolationOptionsRules>());
        services.AddOptionsWithValidateOnStart<IdentitiesStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentitiesStartupCheck>, IdentitiesStartupCheck.Validator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new HermesMetrics(sp.GetService<IMeterFactory>()));

        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<HermesIsolationOptions>>().Value;
            return new YamlIdentitySnapshotProvider(
                o.IdentitiesFilePath,
                o.Root,
                o.ReloadDelay,
                o.OnInvalidIdentitiesAtStartup,
                sp.GetRequiredService<HermesMetrics>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<ILoggerFactory>());
        });
        // identities.yaml, merged with the paired accounts when a state store is registered (PairingServiceRegistration).
        services.TryAddSingleton(PairingServiceRegistration.Snapshots);
        services.TryAddSingleton(PairingServiceRegistration.Resolver);

        services.TryAddSingleton<ICurrentProfile, CurrentTurnAccessor>();
        services.TryAddSingleton<ITurnScopeFactory>(sp => new TurnScopeFactory(
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<IIdentityResolver>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            () => sp.GetService<DelegationRegistry>(),
            sp.GetRequiredService<Hermes.Identity.Budgets.BudgetLedger>()));
        services.TryAddScoped<TurnScopeState>();
        services.TryAddScoped(sp => sp.GetRequiredService<TurnScopeState>().RequireContext());
        services.TryAddScoped(sp => sp.GetRequiredService<TurnContext>().Profile);

        BudgetServiceRegistration.Add(services);
        PolicyServiceRegistration.Add(services);
        MemoryServiceRegistration.Add(services);
        WorkspaceServiceRegistration.Add(services);
        PromptServiceRegistration.Add(services);
        PersonalDataServiceRegistration.Add(services);
        PairingServiceRegistration.Add(services);
        DelegationServiceRegistration.Add(services);

        return new HermesIsolationBuilder(services);
    }
}
