using Hermes.Identity;
using Hermes.Identity.Memory;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

// Called once from AddHermesIsolation.
internal static class MemoryServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<MemoryOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidator>());
        services.TryAddSingleton(sp => new MemoryFileStore(
            sp.GetRequiredService<IOptions<MemoryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()));
        services.TryAddScoped<IMemoryStore>(sp => new MemoryStore(
            sp.GetRequiredService<TurnContext>(),
            sp.GetRequiredService<PolicyEngine>(),
            sp.GetRequiredService<MemoryFileStore>(),
            sp.GetRequiredService<IIdentitySnapshotProvider>(),
            sp.GetRequiredService<IOptions<MemoryOptions>>(),
            sp.GetService<IMemoryDocumentStore>()));
    }
}
