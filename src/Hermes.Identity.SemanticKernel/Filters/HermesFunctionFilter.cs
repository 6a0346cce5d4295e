using Hermes.Identity.SemanticKernel.Internal;
using Hermes.Identity.Tools;
using AIJsonUtilities = Microsoft.Extensions.AI.AIJsonUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace Hermes.Identity.SemanticKernel.Filters;

// The gate at both of Semantic Kernel's function hooks. A call the model asked for comes through the auto-invocation
// filter (SK's own loop in a connector, or KernelFunctionInvokingChatClient over M.E.AI), with its call id and
// arguments: it is decided there, once. Every invocation of a kernel function, whoever makes it (that loop, a prompt
// template, a plan, host code calling kernel.InvokeAsync), then comes through the function-invocation filter, which
// decides it unless it is the very invocation the auto filter just allowed. A refused call never runs: its result is
// the gate's refusal text, which the model reads as the function's result. An allowed call runs with the turn's DI
// scope as KernelArguments.Services. Outside a turn the gate refuses everything.
internal sealed class HermesFunctionFilter(ToolGate gate, ILogger logger) : IAutoFunctionInvocationFilter, IFunctionInvocationFilter
{
    // The invocation the auto filter has just allowed, for the function filter underneath it to let through once.
    private static readonly AsyncLocal<JudgedCall?> Judged = new();

    public async Task OnAutoFunctionInvocationAsync(AutoFunctionInvocationContext context, Func<AutoFunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var function = context.Function;
        var arguments = context.Arguments ?? new KernelArguments();
        var verdict = await DecideAsync(function, context.ToolCallId, arguments, context.CancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            context.Result = new FunctionResult(context.Result, verdict.RefusalText);
            return;
        }

        arguments.Services = verdict.Services;
        Judged.Value = new JudgedCall(function, arguments); // this async method's own flow: gone when it returns
        await next(context).ConfigureAwait(false);
    }

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Judged.Value is { } judged && ReferenceEquals(judged.Function, context.Function) && ReferenceEquals(judged.Arguments, context.Arguments))
        {
            // Decided a moment ago by the auto filter, with the model's call id: asking again would record the call
            // twice and, for an approved call, find its approval used up. Anything the function invokes is judged anew.
            Judged.Value = null;
            await next(context).ConfigureAwait(false);
            return;
        }

        var verdict = await DecideAsync(context.Function, null, context.Arguments, context.CancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            context.Result = new FunctionResult(context.Result, verdict.RefusalText);
            return;
        }

        context.Arguments.Services = verdict.Services;
        await next(context).ConfigureAwait(false);
    }

    private async ValueTask<ToolCallVerdict> DecideAsync(KernelFunction function, string? toolCallId, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var name = FunctionNames.Of(function);
        var verdict = await gate.DecideCallAsync(name, string.IsNullOrEmpty(toolCallId) ? null : toolCallId, arguments, AIJsonUtilities.DefaultOptions, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.FunctionRefused(logger, name, toolCallId, gate.CurrentTurn?.Sender, verdict.Decision.Reason);
        }
        else if (logger.IsEnabled(LogLevel.Debug))
        {
            Log.FunctionAllowed(logger, name, toolCallId, gate.CurrentTurn?.Sender);
        }

        return verdict;
    }

    private sealed record JudgedCall(KernelFunction Function, KernelArguments Arguments);
}
