using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Workspace;

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
