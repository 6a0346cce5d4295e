using Hermes.Identity.SemanticKernel.Internal;
using Hermes.Identity.Tools;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Hermes.Identity.SemanticKernel.Chat;

// What the model is offered: the functions the request's FunctionChoiceBehavior would advertise, less those the policy
// hides from the sender (ToolGate.GetVisibilityAsync: the same rules as a call, recorded nowhere). The request gets a
// copy of its settings whose behaviour (auto, required or none, with its auto-invoke flag and options) lists exactly
// those functions; the caller's settings are never changed. Outside a turn nothing is offered.
// What is visible is decided on every request; the behaviour listing a given set of functions is made once and kept
// (a few recent sets per chat service: one per role the host's people have, typically), since SK's behaviours are
// costly to make (a qualified name per function) and mean the same for everyone they list the same functions for.
internal sealed class FunctionOffer(ToolGate gate)
{
    private const int Kept = 8;
    private readonly Filtered?[] _recent = new Filtered?[Kept];
    private int _next;

    public async ValueTask<PromptExecutionSettings?> FilterAsync(
        PromptExecutionSettings? settings, ChatHistory history, Kernel? kernel, CancellationToken cancellationToken)
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
        filtered.FunctionChoiceBehavior = Listing(configuration, visible);
        return filtered;
    }

    // The behaviour of the request's kind that lists exactly these functions: a kept one, or a new one, then kept.
    private FunctionChoiceBehavior Listing(FunctionChoiceBehaviorConfiguration configuration, List<KernelFunction> visible)
    {
        for (var i = 0; i < Kept; i++)
        {
            if (Volatile.Read(ref _recent[i]) is { } kept && kept.Lists(configuration, visible))
            {
                return kept.Behavior;
            }
        }

        KernelFunction[] listed = [.. visible];
        var behavior = configuration.Choice == FunctionChoice.Required
            ? FunctionChoiceBehavior.Required(listed, configuration.AutoInvoke, configuration.Options)
            : configuration.Choice == FunctionChoice.None
                ? FunctionChoiceBehavior.None(listed, configuration.Options)
                : FunctionChoiceBehavior.Auto(listed, configuration.AutoInvoke, configuration.Options);
        Volatile.Write(ref _recent[(Interlocked.Increment(ref _next) & int.MaxValue) % Kept], new Filtered(configuration, listed, behavior));
        return behavior;
    }

    // One kept behaviour and what it was made for: the kind, auto-invoke flag and options of the request's behaviour, and
    // the very function objects it lists (a plugin replaced by another with the same names is a different set).
    private sealed class Filtered(FunctionChoiceBehaviorConfiguration configuration, KernelFunction[] functions, FunctionChoiceBehavior behavior)
    {
        private readonly FunctionChoice _choice = configuration.Choice;
        private readonly bool _autoInvoke = configuration.AutoInvoke;
        private readonly FunctionChoiceBehaviorOptions _options = configuration.Options;

        public FunctionChoiceBehavior Behavior { get; } = behavior;

        public bool Lists(FunctionChoiceBehaviorConfiguration configuration, List<KernelFunction> visible)
        {
            if (configuration.Choice != _choice || configuration.AutoInvoke != _autoInvoke
                || !ReferenceEquals(configuration.Options, _options) || visible.Count != functions.Length)
            {
                return false;
            }

            for (var i = 0; i < functions.Length; i++)
            {
                if (!ReferenceEquals(visible[i], functions[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
