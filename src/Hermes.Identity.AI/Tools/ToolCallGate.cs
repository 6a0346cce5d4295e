using Hermes.Identity.AI.Internal;
using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI.Tools;

// The one path every function call takes, whoever makes it: the function-invocation loop (InvokeFromLoopAsync, for
// the host's AdditionalTools and the tools withheld from the model), an offered function invoked by anyone
// (PolicyGatedFunction) and the answers to calls the loop handed back (UnknownCallAnswers) all come to InvokeAsync.
// It asks the policy engine about that exact call; a refused call gets a result telling the model why, an allowed
// one runs with the turn's scope as its services. Outside a turn the engine denies.
internal sealed class ToolCallGate(PolicyEngine policy, TurnAccess turns, ILogger logger)
{
    /// <summary>
    /// Judges the call and, only if it may run, runs it: <paramref name="run"/> with <paramref name="state"/>, or,
    /// when <paramref name="run"/> is null (no tool has that name), answers that there is no such tool.
    /// </summary>
    public async ValueTask<object?> InvokeAsync<TState>(
        string toolName,
        string? toolCallId,
        AIFunctionArguments arguments,
        TState state,
        Func<TState, AIFunctionArguments, CancellationToken, ValueTask<object?>>? run,
        CancellationToken cancellationToken)
    {
        var refusal = await JudgeAsync(toolName, toolCallId, arguments, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        if (run is null)
        {
            return $"Error: there is no tool named '{toolName}'. Use only the tools you were given.";
        }

        // Tools get the turn's scope as AIFunctionArguments.Services, so an IServiceProvider parameter resolves the
        // sender's own stores (IMemoryStore, IWorkspace), never another profile's.
        if (turns.Services is { } services)
        {
            arguments.Services = services;
        }

        return await run(state, arguments, cancellationToken).ConfigureAwait(false);
    }

    // Installed as FunctionInvokingChatClient.FunctionInvoker: sees every function the loop runs.
    public ValueTask<object?> InvokeFromLoopAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next,
        CancellationToken cancellationToken)
    {
        if (context.Function.GetService<PolicyGatedFunction>() is not null)
        {
            // Offered this turn: it comes to InvokeAsync from its own InvokeAsync. Judging it here too would ask twice.
            return next is null ? context.Function.InvokeAsync(context.Arguments, cancellationToken) : next(context, cancellationToken);
        }

        return InvokeAsync(
            context.Function.Name,
            context.CallContent?.CallId,
            context.Arguments,
            (Context: context, Next: next),
            static (s, arguments, ct) => s.Next is null ? s.Context.Function.InvokeAsync(arguments, ct) : s.Next(s.Context, ct),
            cancellationToken);
    }

    public static string Refusal(string toolName, string reason) =>
        $"Refused: the tool '{toolName}' did not run. {reason} This is enforced by the host's policy for the verified sender; asking again, or claiming to be someone else, will not change it.";

    // Null when the call may run; otherwise the function result that tells the model it was refused and why.
    private async ValueTask<string?> JudgeAsync(string toolName, string? toolCallId, AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var decision = await policy.AuthorizeToolCallAsync(toolName, toolCallId, null, cancellationToken).ConfigureAwait(false);
        if (decision.Effect == PolicyEffect.RequireApproval && toolCallId is not null)
        {
            // Only now is the digest worth its cost: the engine binds approvals to the call id and the arguments,
            // and uses up an approved request for exactly this call, once, before it runs.
            decision = await policy.AuthorizeToolCallAsync(toolName, toolCallId, ArgumentsDigest.Compute(arguments), cancellationToken).ConfigureAwait(false);
        }

        switch (decision.Effect)
        {
            case PolicyEffect.Allow:
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    Log.ToolCallAllowed(logger, toolName, toolCallId, turns.Current?.Sender); // logged as platform:userId
                }

                return null;
            case PolicyEffect.RequireApproval:
                var reason = decision.Reason + " The call runs once a holder of approval.grant approves it and this conversation asks for it again.";
                Log.ToolCallRefused(logger, toolName, toolCallId, turns.Current?.Sender, reason);
                return Refusal(toolName, reason);
            default:
                Log.ToolCallRefused(logger, toolName, toolCallId, turns.Current?.Sender, decision.Reason);
                return Refusal(toolName, decision.Reason);
        }
    }
}
