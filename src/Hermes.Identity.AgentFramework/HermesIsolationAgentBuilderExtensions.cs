using Hermes.Identity.AgentFramework.Agents;
using Hermes.Identity.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Agents.AI;

/// <summary>Adds Hermes.Identity to a Microsoft Agent Framework agent pipeline.</summary>
public static class HermesIsolationAgentBuilderExtensions
{
    /// <summary>
    /// Isolates each person a <see cref="ChatClientAgent"/> talks to. Every run made within a turn
    /// (<c>ITurnScopeFactory.BeginTurn</c>) goes through the Microsoft.Extensions.AI adapter
    /// (<c>ChatClientBuilder.UseHermesIsolation()</c>, added under the agent unless its chat client has it already):
    /// the model is offered only the tools the sender may use, the verified identity block and the sender's memory are
    /// added to the instructions, and every call of every tool asks the policy engine. Each tool is gated before
    /// the agent's function middleware wraps it, so middleware added with <c>AIAgentBuilder.Use(callback)</c> before
    /// this call sees every call, the refused ones too, with the refusal text as the result. An
    /// <see cref="AgentSession"/> is stamped with the person it was first used for and refused for anyone else.
    /// </summary>
    /// <remarks>
    /// Call it last, after any function middleware, so it sits inside it:
    /// <code>
    /// AIAgent agent = chatAgent.AsBuilder().Use(myFunctionMiddleware).UseHermesIsolation().Build(services);
    /// </code>
    /// Needs <c>services.AddHermesIsolation()</c> and <c>Build(services)</c> with that provider.
    /// </remarks>
    /// <param name="builder">The agent builder over a <see cref="ChatClientAgent"/> (or a decorator of one).</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static AIAgentBuilder UseHermesIsolation(this AIAgentBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var gate = services.GetService<ToolGate>() ?? throw new InvalidOperationException(
                "UseHermesIsolation() needs Hermes.Identity's services. Call services.AddHermesIsolation(...) and build the agent " +
                "with that service provider: agent.AsBuilder().UseHermesIsolation().Build(serviceProvider).");
            var chatAgent = inner.GetService<ChatClientAgent>() ?? throw new InvalidOperationException(
                $"UseHermesIsolation() gates a ChatClientAgent, and the agent being built is a {inner.GetType().Name} with none inside. " +
                "Build the agent from an IChatClient (chatClient.AsAIAgent(...) or new ChatClientAgent(...)).");
            if (chatAgent.GetService<ChatClientAgentOptions>() is not { DisableApprovalResponseBinding: true } and not { UseProvidedChatClientAsIs: true })
            {
                throw new InvalidOperationException(
                    "UseHermesIsolation() needs the ChatClientAgent built with ChatClientAgentOptions.DisableApprovalResponseBinding = true. " +
                    "Hermes.Identity binds each approval to its call itself (call id and arguments digest, kept in the state store, so an " +
                    "approval given later runs after a restart too); Agent Framework's binding keeps pending requests in the AgentSession " +
                    "and drops the stored answer when the session is new.");
            }

            var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.AgentFramework");
            return new HermesIsolationAgent(inner, chatAgent.ChatClient, gate, services, logger);
        });
    }
}
