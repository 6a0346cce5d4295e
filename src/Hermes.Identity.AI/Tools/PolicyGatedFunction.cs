using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// An offered function that goes through the gate at InvokeAsync, so whoever invokes it (the loop, the host, another
// framework) cannot skip the policy.
internal sealed class PolicyGatedFunction(AIFunction inner, ToolCallGate gate) : DelegatingAIFunction(inner)
{
    protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        gate.InvokeAsync(Name, FunctionInvokingChatClient.CurrentContext?.CallContent?.CallId, arguments, this, static (self, a, ct) => self.RunJudgedAsync(a, ct), cancellationToken);

    // The function underneath, for the gate once it has judged this very call.
    internal ValueTask<object?> RunJudgedAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
        InnerFunction.InvokeAsync(arguments, cancellationToken);
}
