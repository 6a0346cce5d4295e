using System.Diagnostics.CodeAnalysis;
using Hermes.Identity;
using Hermes.Identity.Audit;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// The policy part of AddHermesIsolation: options, the built-in RBAC backend, the decision log, the engine.
internal static class PolicyServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<PolicyOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>());

        // Always there: a user's backends are asked in addition, never instead.
        AddBackend<RbacPolicyBackend>(services);

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PolicyOptions>>().Value;
            var root = sp.GetRequiredService<IOptions<HermesIsolationOptions>>().Value.Root;
            return new DecisionLog(
                sp.GetRequiredService<HermesMetrics>(),
                sp.GetService<ILoggerFactory>(),
                options.WriteAuditFile ? Path.Combine(Path.GetFullPath(root), "audit", "decisions.jsonl") : null,
                sp.GetServices<IDecisionAuditSink>());
        });
        services.TryAddSingleton(sp => new PolicyEngine(
            sp.GetServices<IPolicyBackend>(),
            sp.GetRequiredService<ICurrentProfile>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PolicyOptions>>().Value,
            sp.GetRequiredService<DecisionLog>(),
            sp.GetRequiredService<Hermes.Identity.Approvals.ApprovalBook>(),
            sp.GetRequiredService<Hermes.Identity.Approvals.GrantBook>(),
            sp.GetRequiredService<Hermes.Identity.Budgets.BudgetLedger>()));
        ApprovalServiceRegistration.Add(services);
    }

    public static void AddBackend<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TBackend>(IServiceCollection services)
        where TBackend : class, IPolicyBackend =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPolicyBackend, TBackend>());
}
