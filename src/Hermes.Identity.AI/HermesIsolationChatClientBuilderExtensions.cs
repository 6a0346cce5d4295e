using Hermes.Identity;
using Hermes.Identity.AI;
using Hermes.Identity.AI.Approvals;
using Hermes.Identity.AI.Internal;
using Hermes.Identity.AI.Sessions;
using Hermes.Identity.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.AI;

/// <summary>Adds Hermes.Identity to a Microsoft.Extensions.AI chat pipeline.</summary>
public static class HermesIsolationChatClientBuilderExtensions
{
    /// <summary>
    /// Isolates each person the bot talks to. For every request made within a turn
    /// (<c>ITurnScopeFactory.BeginTurn</c>) it offers the model only the tools the policy lets the sender see,
    /// adds the verified identity block and the sender's memory to <see cref="ChatOptions.Instructions"/>, and
    /// makes the function-invocation loop ask the policy engine before running any function, including
    /// <see cref="FunctionInvokingChatClient.AdditionalTools"/>, tools that were never offered and names the model made up
    /// (it sets the loop's <see cref="FunctionInvokingChatClient.TerminateOnUnknownCalls"/> and answers those calls itself). A refused call
    /// becomes a function result that tells the model why, and the loop carries on. Outside a turn no tool is
    /// offered and none runs.
    /// </summary>
    /// <remarks>
    /// Call it before <c>UseFunctionInvocation()</c>, so the loop sits inside it:
    /// <code>
    /// services.AddChatClient(model).UseHermesIsolation().UseFunctionInvocation();
    /// </code>
    /// Building the pipeline fails when there is no loop inside. Needs <c>services.AddHermesIsolation()</c>.
    /// </remarks>
    /// <param name="builder">The chat client builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseHermesIsolation(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var policy = services.GetService<PolicyEngine>() ?? throw new InvalidOperationException(
                "UseHermesIsolation() needs Hermes.Identity's services. Call services.AddHermesIsolation(...) and build the chat client " +
                "with that service provider (ChatClientBuilder.Build(serviceProvider), or services.AddChatClient(...)).");
            var current = services.GetRequiredService<ICurrentProfile>();
            var logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.AI");
            var approvals = new ApprovalAnswers(policy, services.GetService<Hermes.Identity.Approvals.Approvals>(), logger);
            return new HermesIsolationChatClient(inner, services.GetRequiredService<Hermes.Identity.Tools.ToolGate>(), new TurnAccess(current), approvals, logger, services.GetService<Hermes.Identity.Budgets.BudgetLedger>());
        });
    }

    /// <summary>
    /// Persists the conversation to the sender's own session store and reloads it: within a turn whose scope has an
    /// <c>ISessionStore</c> (<c>AddSqliteSessions()</c>), the last <paramref name="historyLimit"/> messages of the
    /// profile's current session go before the new ones, and the new messages and the reply are appended after.
    /// Without a turn or a store, requests pass through untouched.
    /// </summary>
    /// <param name="builder">The chat client builder.</param>
    /// <param name="historyLimit">How many stored messages to replay, from 1 to 10,000. Default: 100.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ChatClientBuilder UseHermesSessionHistory(this ChatClientBuilder builder, int historyLimit = 100)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(historyLimit, 10_000);
        return builder.Use((inner, services) =>
            new SessionHistoryChatClient(inner, historyLimit, new TurnAccess(services.GetService<ICurrentProfile>()), services.GetService<TimeProvider>() ?? TimeProvider.System));
    }
}
