using System.Runtime.CompilerServices;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// What the model is offered. The same engine decides what is offered and what may run (invariant 4): one
// ToolGate.GetVisibilityAsync per tool (decided like a call, recorded nowhere, so offers do not fill the audit file);
// a tool is offered unless it is Hidden, which is PolicyEngine.GetVisibleToolsAsync's own rule (a test pins that the
// two agree for every role). Every function, offered or withheld, is wrapped so that invoking it goes
// through the gate; one pass also tells which offered tools need approval. The wrappers of a function, and what it
// is, are made once per function and kept while the host keeps the function (hosts pass the same tools every
// request); what is offered is still decided on every request.
internal sealed class ToolOffer(ToolGate policy, ToolCallGate gate)
{
    private readonly ConditionalWeakTable<AIFunction, Wrapped> _wrapped = [];

    public async ValueTask<(List<AITool> Offered, List<AITool>? Withheld)> DecideAsync(IList<AITool> tools, CancellationToken cancellationToken)
    {
        var offered = new List<AITool>(tools.Count);
        List<AITool>? withheld = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            var visibility = await policy.GetVisibilityAsync(tool.Name, cancellationToken).ConfigureAwait(false);
            Wrapped? wrapped = null;
            if (tool is not AIFunction function || (!_wrapped.TryGetValue(function, out wrapped) && IsKernelFunction(function.GetType())))
            {
                if (visibility != ToolVisibility.Hidden)
                {
                    offered.Add(tool);
                }

                continue;
            }

            if (wrapped is null)
            {
                if (function.GetService<ToolGate>() is not null)
                {
                    // Another adapter's wrapper (the Agent Framework's, inside its function middleware) asks the gate at
                    // every call: offered as it is, and not kept, since such wrappers may be made per request.
                    if (visibility == ToolVisibility.Hidden)
                    {
                        (withheld ??= []).Add(function);
                    }
                    else
                    {
                        offered.Add(visibility == ToolVisibility.OfferedWithApproval || function.GetService<ApprovalRequiredAIFunction>() is not null ? new ApprovalRequiredAIFunction(function) : function);
                    }

                    continue;
                }

                wrapped = _wrapped.GetValue(function, Wrap);
            }

            if (visibility == ToolVisibility.Hidden)
            {
                (withheld ??= []).Add(wrapped.Gated);
            }
            else if (visibility == ToolVisibility.OfferedWithApproval || wrapped.AlwaysNeedsApproval)
            {
                offered.Add(wrapped.WithApproval);
            }
            else
            {
                offered.Add(wrapped.Gated);
            }
        }

        return (offered, withheld);
    }

    // A Semantic Kernel function (this package does not reference SK, so it knows it by its base type's name) is
    // offered as itself: SK's own loop over M.E.AI (KernelFunctionInvokingChatClient) accepts only KernelFunctions and
    // ignores the loop's FunctionInvoker, so each call to it is decided by the kernel's filters
    // (Hermes.Identity.SemanticKernel's UseHermesIsolation), or, under UseFunctionInvocation(), by this adapter's
    // FunctionInvoker. A withheld one is not handed to the loop: a call to it comes back as an unknown call and is refused.
    private static bool IsKernelFunction(Type functionType)
    {
        if (KernelFunctionTypes.TryGetValue(functionType, out var known))
        {
            return ReferenceEquals(known, KernelType);
        }

        var kernel = false;
        for (var type = functionType.BaseType; type is not null && !kernel; type = type.BaseType)
        {
            kernel = type.FullName == "Microsoft.SemanticKernel.FullyQualifiedAIFunction";
        }

        KernelFunctionTypes.AddOrUpdate(functionType, kernel ? KernelType : OtherType);
        return kernel;
    }

    private Wrapped Wrap(AIFunction function)
    {
        var gated = new PolicyGatedFunction(function, gate);
        return new Wrapped(gated, new ApprovalRequiredAIFunction(gated), function.GetService<ApprovalRequiredAIFunction>() is not null);
    }

    // Whether a function type is Semantic Kernel's, per type: types are few, and a weak table lets an unloaded one go.
    private static readonly ConditionalWeakTable<Type, object> KernelFunctionTypes = [];
    private static readonly object KernelType = new();
    private static readonly object OtherType = new();

    private sealed record Wrapped(AIFunction Gated, AIFunction WithApproval, bool AlwaysNeedsApproval);
}
