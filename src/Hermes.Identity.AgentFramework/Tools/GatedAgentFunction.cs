using Hermes.Identity.AgentFramework.Internal;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Tools;

// An agent tool that asks the gate at every call. It is put around each tool before Agent Framework's function
// middleware wraps the tools, so the middleware sees every call, the refused ones too: its continuation comes here,
// and a refused call returns the gate's refusal text as its result. It answers GetService<ToolGate>(), which tells
// the Microsoft.Extensions.AI adapter underneath not to judge the call a second time.
internal sealed class GatedAgentFunction(AIFunction inner, ToolGate gate, ILogger logger) : DelegatingAIFunction(inner)
{
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ToolGate) ? gate : base.GetService(serviceType, serviceKey);

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var callId = FunctionInvokingChatClient.CurrentContext?.CallContent?.CallId;
        var verdict = await gate.DecideCallAsync(Name, string.IsNullOrEmpty(callId) ? null : callId, arguments, AIJsonUtilities.DefaultOptions, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.ToolCallRefused(logger, Name, callId, gate.CurrentTurn?.Sender, verdict.Decision.Reason);
            return verdict.RefusalText;
        }

        // The turn's scope: an IServiceProvider parameter resolves the sender's own stores.
        arguments.Services = verdict.Services;
        return await InnerFunction.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
    }
}
