using Hermes.Identity;
using Hermes.Identity.Prompt;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class PromptServiceRegistration
{
    public static void Add(IServiceCollection services) => services.TryAddSingleton(sp => new IdentityPrompt(sp.GetRequiredService<ICurrentProfile>()));
}
