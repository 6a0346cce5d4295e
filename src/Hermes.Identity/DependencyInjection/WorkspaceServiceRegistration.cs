using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// Registers the workspace: options validated at start, IWorkspace scoped to the turn.
internal static class WorkspaceServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<WorkspaceOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkspaceOptions>, WorkspaceOptionsValidator>());
        services.TryAddScoped<IWorkspace>(sp => new ProfileWorkspace(
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<IOptions<WorkspaceOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
    }
}
