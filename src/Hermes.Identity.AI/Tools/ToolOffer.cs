using Hermes.Identity.Policy;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tools;

// What the model is offered. The same engine decides what is offered and what may run (invariant 4): one
// PreviewToolCallAsync per tool (decided like a call, recorded nowhere, so offers do not fill the audit file), and a
// tool is offered when the answer is not Deny, which is PolicyEngine.GetVisibleToolsAsync's own rule (a test pins
// that the two agree for every role). Every function, offered or withheld, is wrapped so that invoking it goes
// through the gate; one pass also tells which offered tools need approval.
internal sealed class ToolOffer(PolicyEngine policy, ToolCallGate gate)
{
    public async ValueTask<(List<AITool> Offered, List<AITool>? Withheld)> DecideAsync(IList<AITool> tools, CancellationToken cancellationToken)
    {
        var offered = new List<AITool>(tools.Count);
        List<AITool>? withheld = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            var decision = await policy.PreviewToolCallAsync(tool.Name, cancellationToken).ConfigureAwait(false);
            if (tool is not AIFunction function)
            {
                if (decision.Effect != PolicyEffect.Deny)
                {
                    offered.Add(tool);
                }

                continue;
            }

            var gated = new PolicyGatedFunction(function, gate);
            if (decision.Effect == PolicyEffect.Deny)
            {
                (withheld ??= []).Add(gated);
            }
            else if (decision.Effect == PolicyEffect.RequireApproval || function.GetService<ApprovalRequiredAIFunction>() is not null)
            {
                offered.Add(new ApprovalRequiredAIFunction(gated));
            }
            else
            {
                offered.Add(gated);
            }
        }

        return (offered, withheld);
    }
}
