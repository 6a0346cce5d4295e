using Hermes.Identity.SemanticKernel.Chat;
using Hermes.Identity.SemanticKernel.Filters;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Microsoft.SemanticKernel;

/// <summary>Adds Hermes.Identity to a Semantic Kernel kernel.</summary>
public static class HermesIsolationKernelBuilderExtensions
{
    /// <summary>
    /// Isolates each person the bot talks to, on every kernel this builder makes. Every kernel function call is put
    /// through Hermes.Identity's <see cref="ToolGate"/>: the calls SK's function-calling loop makes for the model (an
    /// <see cref="IAutoFunctionInvocationFilter"/>, with the model's call id and arguments, in a connector's own loop
    /// and in <c>KernelFunctionInvokingChatClient</c>) and every other invocation (an <see cref="IFunctionInvocationFilter"/>:
    /// <c>kernel.InvokeAsync</c>, prompt templates, host code). A refused call never runs; its result is the refusal
    /// text, so the model is told why (for a call that needs an approval, with the approval's id). An allowed call runs
    /// with the turn's services in <see cref="Microsoft.Extensions.AI.AIFunctionArguments.Services"/> of its
    /// <see cref="KernelArguments"/>. Every <see cref="IChatCompletionService"/> registered so far is wrapped: within a
    /// turn it offers the model only the functions the sender may see and adds the verified identity block (with the
    /// sender's memory) to the chat history after its system messages. Outside a turn no function is offered and none runs.
    /// </summary>
    /// <remarks>
    /// Call it after adding the chat completion service, on the services that also hold <c>AddHermesIsolation()</c>:
    /// <code>
    /// services.AddHermesIsolation(o => o.Root = "hermes-data");
    /// services.AddKernel().AddOpenAIChatCompletion(model, apiKey).UseHermesIsolation();
    /// </code>
    /// Functions are named <c>Plugin.function</c> for the policy, so identities.yaml lists them qualified under
    /// <c>tools:</c> (<c>Shell.terminal: exec</c>). Calling it twice adds nothing.
    /// </remarks>
    /// <param name="builder">The kernel builder.</param>
    /// <param name="hermesServices">
    /// Where <c>AddHermesIsolation()</c> was called, when that is not the kernel's own service provider (a kernel made
    /// with <c>Kernel.CreateBuilder()</c> inside a host); null: the kernel's provider.
    /// </param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="InvalidOperationException">When the kernel is built: no <see cref="ToolGate"/> in the services (add <c>AddHermesIsolation()</c>).</exception>
    public static IKernelBuilder UseHermesIsolation(this IKernelBuilder builder, IServiceProvider? hermesServices = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(HermesFunctionFilter))
            {
                return builder;
            }
        }

        services.AddSingleton(sp =>
        {
            var hermes = hermesServices ?? sp;
            return new HermesFunctionFilter(Gate(hermes), Logger(hermes));
        });
        services.AddSingleton<IAutoFunctionInvocationFilter>(static sp => sp.GetRequiredService<HermesFunctionFilter>());
        services.AddSingleton<IFunctionInvocationFilter>(static sp => sp.GetRequiredService<HermesFunctionFilter>());

        for (var i = 0; i < services.Count; i++)
        {
            if (services[i].ServiceType == typeof(IChatCompletionService))
            {
                services[i] = Wrapped(services[i], hermesServices);
            }
        }

        return builder;
    }

    private static ToolGate Gate(IServiceProvider services) => services.GetService<ToolGate>() ?? throw new InvalidOperationException(
        "UseHermesIsolation() found no Hermes.Identity services for the kernel. Call services.AddHermesIsolation(...) on the services " +
        "the kernel is built from (services.AddKernel()), or pass the host's provider: kernelBuilder.UseHermesIsolation(host.Services).");

    private static ILogger Logger(IServiceProvider services) =>
        (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.SemanticKernel");

    // The same registration (lifetime, key), its service made as before and wrapped.
    private static ServiceDescriptor Wrapped(ServiceDescriptor descriptor, IServiceProvider? hermesServices)
    {
        IChatCompletionService Wrap(IServiceProvider sp, object inner)
        {
            var hermes = hermesServices ?? sp;
            return new HermesChatCompletionService((IChatCompletionService)inner, Gate(hermes), Logger(hermes));
        }

        if (descriptor.IsKeyedService)
        {
            var instance = descriptor.KeyedImplementationInstance;
            var factory = descriptor.KeyedImplementationFactory;
            var type = descriptor.KeyedImplementationType;
            return new ServiceDescriptor(typeof(IChatCompletionService), descriptor.ServiceKey, (sp, key) => Wrap(sp,
                instance ?? factory?.Invoke(sp, key) ?? ActivatorUtilities.CreateInstance(sp, type!)), descriptor.Lifetime);
        }

        var plainInstance = descriptor.ImplementationInstance;
        var plainFactory = descriptor.ImplementationFactory;
        var plainType = descriptor.ImplementationType;
        return new ServiceDescriptor(typeof(IChatCompletionService), sp => Wrap(sp,
            plainInstance ?? plainFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, plainType!)), descriptor.Lifetime);
    }
}
