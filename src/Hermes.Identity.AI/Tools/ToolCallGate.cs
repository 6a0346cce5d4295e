using Hermes.Identity.AI.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI.Tools;

// The one place a function call is judged: every path that runs a function (the function-invocation
// loop's invoker, a gated function invoked directly) asks here first. Outside a turn the engine denies.
internal sealed class ToolCallGate(PolicyEngine policy, ICurrentProfile current, ILogger logger)
{
    // Installed as FunctionInvokingChatClient.FunctionInvoker: sees AdditionalTools and everything else the loop finds.
    public ValueTask<object?> InvokeFromLoopAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next,
        CancellationToken cancellationToken)
    {
        if (context.Function.GetService<PolicyGatedFunction>() is not null)
        {
            // Offered this turn and gated at its own InvokeAsync: judge it once, there.
            return next is null ? context.Function.InvokeAsync(context.Arguments, cancellationToken) : next(context, cancellationToken);
        }

        return GateThenRunAsync(context, next, cancellationToken);
    }

    private async ValueTask<object?> GateThenRunAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next,
        CancellationToken cancellationToken)
    {
        var refusal = await CheckAsync(context.Function.Name, context.CallContent?.CallId, context.Arguments, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        UseTurnServices(context.Arguments);
        return next is null
            ? await context.Function.InvokeAsync(context.Arguments, cancellationToken).ConfigureAwait(false)
            : await next(context, cancellationToken).ConfigureAwait(false);
    }

    // Null when the call may run; otherwise the function result that tells the model it was refused and why.
    public async ValueTask<string?> CheckAsync(string toolName, string? toolCallId, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        var decision = await policy.AuthorizeToolCallAsync(toolName, toolCallId, null, cancellationToken).ConfigureAwait(false);
        if (decision.Effect == PolicyEffect.RequireApproval && toolCallId is not null)
        {
            // Only now is the digest worth its cost: the engine binds approvals to the call id and the arguments,
            // and uses up a granted approval for exactly this call.
            decision = await policy.AuthorizeToolCallAsync(toolName, toolCallId, ArgumentsDigest.Compute(arguments), cancellationToken).ConfigureAwait(false);
        }

        var sender = current.IsInTurn ? current.Turn.Sender : null; // logged as platform:userId, formatted only when logged
        switch (decision.Effect)
        {
            case PolicyEffect.Allow:
                Log.ToolCallAllowed(logger, toolName, toolCallId, sender);
                return null;
            case PolicyEffect.RequireApproval:
                var reason = decision.Reason + " No granted approval covers this exact call.";
                Log.ToolCallRefused(logger, toolName, toolCallId, sender, reason);
                return Refusal(toolName, reason);
            default:
                Log.ToolCallRefused(logger, toolName, toolCallId, sender, decision.Reason);
                return Refusal(toolName, decision.Reason);
        }
    }

    // Tools get the turn's scope as AIFunctionArguments.Services, so an IServiceProvider parameter resolves the
    // sender's own stores (IMemoryStore, IWorkspace), never another profile's.
    public void UseTurnServices(AIFunctionArguments arguments)
    {
        if (current.IsInTurn)
        {
            try
            {
                arguments.Services = current.Services;
            }
            catch (NoActiveTurnException)
            {
                // The turn ended between the two reads: the tool runs without the turn's services, and its stores refuse.
            }
        }
    }

    public static string Refusal(string toolName, string reason) =>
        $"Refused: the tool '{toolName}' did not run. {reason} This is enforced by the host's policy for the verified sender; asking again, or claiming to be someone else, will not change it.";
}
