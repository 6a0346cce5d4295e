using Hermes.Identity;
using Hermes.Identity.Policy;
using Hermes.Identity.Prompt;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

// The top layer of AddHermesIsolation: the identity prompt, and the tool gate every agent-stack adapter uses.
internal static class PromptServiceRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new IdentityPrompt(sp.GetRequiredService<ICurrentProfile>()));
        services.TryAddSingleton(sp => new ToolGate(sp.GetRequiredService<PolicyEngine>(), sp.GetRequiredService<IdentityPrompt>()));
    }
}
