using System.Runtime.CompilerServices;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AgentFramework.Tools;

// One agent's gated wrappers: each function's GatedAgentFunction is made once per agent and kept while the host keeps
// the function, so every run hands the layers underneath (function middleware, the isolation layer's tool offer, the
// loop) the same objects. Whose call it is and whether it may run are decided at each call, from the turn.
internal sealed class GatedFunctions(ToolGate gate, ILogger logger)
{
    private readonly ConditionalWeakTable<AIFunction, AIFunction> _gated = [];
    private readonly ConditionalWeakTable<AIFunction, AIFunction>.CreateValueCallback _wrap = f => new GatedAgentFunction(f, gate, logger);

    // The options with each function of Tools gated (a copy; the caller's options are left as they are), or the same
    // options when there is nothing to gate.
    public ChatOptions? Gate(ChatOptions? options)
    {
        if (options?.Tools is not { Count: > 0 } tools)
        {
            return options;
        }

        List<AITool>? gated = null;
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i];
            var replacement = tool is AIFunction function ? Gated(function) : tool;
            if (gated is null && !ReferenceEquals(replacement, tool))
            {
                gated = new List<AITool>(tools.Count);
                for (var j = 0; j < i; j++)
                {
                    gated.Add(tools[j]);
                }
            }

            gated?.Add(replacement);
        }

        if (gated is null)
        {
            return options;
        }

        var copy = options.Clone();
        copy.Tools = gated;
        return copy;
    }

    private AIFunction Gated(AIFunction function)
    {
        if (_gated.TryGetValue(function, out var known))
        {
            return known;
        }

        // A function gated already (this adapter's own wrapper, handed back by a layer) is used as it is.
        return function.GetService<ToolGate>() is not null ? function : _gated.GetValue(function, _wrap);
    }
}
