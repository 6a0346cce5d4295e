using Hermes.Identity.AI.Internal;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI.Tools;

// The one path every function call takes, whoever makes it: the function-invocation loop (InvokeFromLoopAsync, for
// the host's AdditionalTools and the tools withheld from the model), an offered function invoked by anyone
// (PolicyGatedFunction) and the answers to calls the loop handed back (UnknownCallAnswers) all come to InvokeAsync.
// It asks the core's ToolGate about that exact call; a refused call gets the gate's refusal text as its result, an
// allowed one runs with the turn's scope as its services. Outside a turn the gate refuses.
internal sealed class ToolCallGate(ToolGate gate, ILogger logger)
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
        var verdict = await gate.DecideCallAsync(toolName, toolCallId, arguments, AIJsonUtilities.DefaultOptions, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.ToolCallRefused(logger, toolName, toolCallId, gate.CurrentTurn?.Sender, verdict.Decision.Reason);
            return verdict.RefusalText;
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.ToolCallAllowed(logger, toolName, toolCallId, gate.CurrentTurn?.Sender); // logged as platform:userId
        }

        if (run is null)
        {
            return $"Error: there is no tool named '{toolName}'. Use only the tools you were given.";
        }

        // Tools get the turn's scope as AIFunctionArguments.Services, so an IServiceProvider parameter resolves the
        // sender's own stores (IMemoryStore, IWorkspace), never another profile's.
        arguments.Services = verdict.Services;
        return await run(state, arguments, cancellationToken).ConfigureAwait(false);
    }

    // Installed as FunctionInvokingChatClient.FunctionInvoker: sees every function the loop runs.
    public ValueTask<object?> InvokeFromLoopAsync(
        FunctionInvocationContext context,
        Func<FunctionInvocationContext, CancellationToken, ValueTask<object?>>? next,
        CancellationToken cancellationToken)
    {
        if (context.Function.GetService<PolicyGatedFunction>() is not null || context.Function.GetService<ToolGate>() is not null)
        {
            // Offered this turn, or gated by another adapter's wrapper: it asks the gate from its own InvokeAsync.
            // Judging it here too would ask twice.
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
}
