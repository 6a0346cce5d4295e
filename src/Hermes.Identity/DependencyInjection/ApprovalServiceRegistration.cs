using Hermes.Identity;
using Hermes.Identity.Approvals;
using Hermes.Identity.Internal;
using Hermes.Identity.Policy;
using Hermes.Identity.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// The between-messages part of AddHermesIsolation: approval requests answered later and grants limited in time and
// uses, over the state store when one is registered (the engine asks for them only when a call needs them).
internal static class ApprovalServiceRegistration
{
    private const string Category = "Hermes.Identity.Approvals";

    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new ApprovalBook(
            sp.GetService<IIdentityStateStore>(),
            sp.GetServices<IApprovalNotifier>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PolicyOptions>>().Value,
            sp.GetRequiredService<HermesMetrics>(),
            Logger(sp)));
        services.TryAddSingleton(sp => new GrantBook(
            sp.GetService<IIdentityStateStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            Logger(sp)));
        services.TryAddSingleton(sp => new Approvals(
            sp.GetRequiredService<ApprovalBook>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<ICurrentProfile>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<HermesMetrics>(),
            Logger(sp)));
        services.TryAddSingleton(sp => new Grants(
            sp.GetRequiredService<GrantBook>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<ICurrentProfile>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            Logger(sp)));
    }

    private static ILogger Logger(IServiceProvider sp) => (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(Category);
}
