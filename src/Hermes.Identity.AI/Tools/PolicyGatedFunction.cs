using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// An offered function that asks the gate at InvokeAsync, so whoever invokes it (the loop, the host, another
// framework) cannot skip the policy.
internal sealed class PolicyGatedFunction(AIFunction inner, ToolCallGate gate) : DelegatingAIFunction(inner)
{
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var callId = FunctionInvokingChatClient.CurrentContext?.CallContent?.CallId;
        var refusal = await gate.CheckAsync(Name, callId, arguments, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        gate.UseTurnServices(arguments);
        return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
    }
}
