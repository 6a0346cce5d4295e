using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Identity.Prompt;

internal static class PromptServiceRegistration
{
    public static void Add(IServiceCollection services) => services.TryAddSingleton(sp => new IdentityPrompt(sp.GetRequiredService<ICurrentProfile>()));
}
