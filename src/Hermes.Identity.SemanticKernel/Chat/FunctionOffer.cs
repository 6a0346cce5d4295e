using Hermes.Identity.SemanticKernel.Internal;
using Hermes.Identity.Tools;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Hermes.Identity.SemanticKernel.Chat;

// What the model is offered: the functions the request's FunctionChoiceBehavior would advertise, less those the policy
// hides from the sender (ToolGate.GetVisibilityAsync: the same rules as a call, recorded nowhere). The request gets a
// copy of its settings whose behaviour (auto, required or none, with its auto-invoke flag and options) lists exactly
// those functions; the caller's settings are never changed. Outside a turn nothing is offered.
internal static class FunctionOffer
{
    public static async ValueTask<PromptExecutionSettings?> FilterAsync(
        ToolGate gate, PromptExecutionSettings? settings, ChatHistory history, Kernel? kernel, CancellationToken cancellationToken)
    {
        if (settings?.FunctionChoiceBehavior is not { } behavior)
        {
            return settings;
        }

        FunctionChoiceBehaviorConfiguration configuration;
        try
        {
            configuration = behavior.GetConfiguration(new FunctionChoiceBehaviorConfigurationContext(history) { Kernel = kernel });
        }
        catch (KernelException)
        {
            return settings; // the connector asks the same and throws the same error, with SK's own words
        }

        if (configuration.Functions is not { Count: > 0 } functions)
        {
            return settings;
        }

        List<KernelFunction>? visible = null;
        for (var i = 0; i < functions.Count; i++)
        {
            var shown = gate.CurrentTurn is not null
                && await gate.GetVisibilityAsync(FunctionNames.Of(functions[i]), cancellationToken).ConfigureAwait(false) != ToolVisibility.Hidden;
            if (!shown && visible is null)
            {
                visible = new List<KernelFunction>(functions.Count);
                for (var j = 0; j < i; j++)
                {
                    visible.Add(functions[j]);
                }
            }
            else if (shown)
            {
                visible?.Add(functions[i]);
            }
        }

        if (visible is null)
        {
            return settings; // everything is offered: the settings stand as they are
        }

        var filtered = settings.Clone();
        filtered.FunctionChoiceBehavior = configuration.Choice == FunctionChoice.Required
            ? FunctionChoiceBehavior.Required(visible, configuration.AutoInvoke, configuration.Options)
            : configuration.Choice == FunctionChoice.None
                ? FunctionChoiceBehavior.None(visible, configuration.Options)
                : FunctionChoiceBehavior.Auto(visible, configuration.AutoInvoke, configuration.Options);
        return filtered;
    }
}
