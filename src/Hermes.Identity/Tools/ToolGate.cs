using System.Text.Json;
using Hermes.Identity.Policy;
using Hermes.Identity.Prompt;

namespace Hermes.Identity.Tools;

/// <summary>
/// The one gate every agent-stack adapter puts tool calls through (the Microsoft.Extensions.AI chat client, Semantic
/// Kernel's filters, Agent Framework, an MCP server's filters, or one you write): it decides each call for the turn in
/// progress, tells which tools to offer, and writes the identity block. Resolve it from DI; <c>AddHermesIsolation</c>
/// registers it as a singleton.
/// </summary>
/// <remarks>
/// <para>
/// An adapter does three things with it. Before a request, it offers the model only the tools whose
/// <see cref="GetVisibilityAsync"/> is not <see cref="ToolVisibility.Hidden"/> and adds <see cref="RenderIdentityBlockAsync"/>
/// to the instructions. For every call, however it comes (offered, withheld, invented by the model, invoked by
/// middleware), it asks <see cref="DecideCallAsync"/> and runs the tool only when <see cref="ToolCallVerdict.MayRun"/>,
/// with <see cref="ToolCallVerdict.Services"/> as its services; otherwise it returns
/// <see cref="ToolCallVerdict.RefusalText"/> to the model as the result.
/// </para>
/// <para>
/// Tool names are the names listed under <c>tools:</c> in identities.yaml. A Semantic Kernel plugin's function or an
/// MCP server's tool is listed qualified, <c>Plugin.function</c>; that entry also answers to <c>Plugin_function</c>
/// and <c>Plugin-function</c>, the spellings those stacks send. A bare entry never answers for a qualified name.
/// Outside a turn every call is refused and every tool hidden.
/// </para>
/// </remarks>
public sealed class ToolGate
{
    private readonly PolicyEngine _policy;
    private readonly IdentityPrompt _prompt;

    internal ToolGate(PolicyEngine policy, IdentityPrompt prompt)
    {
        _policy = policy;
        _prompt = prompt;
    }

    /// <summary>The turn in progress on this async flow, or null: for adapters that must know whether anyone is there.</summary>
#pragma warning disable CA1822 // an instance member on purpose: adapters reach it through the gate they were given
    public TurnContext? CurrentTurn => AmbientTurn.Peek();
#pragma warning restore CA1822

    /// <summary>
    /// Decides one call to <paramref name="toolName"/> for the turn in progress, records the decision, and, for an
    /// approved call, uses its approval up (so it runs once). A tool that needs an approval gets a stored approval
    /// request bound to this call id and these arguments; when a holder of <c>approval.grant</c> approves it, the
    /// same call presented again (same id, same arguments, same conversation) may run, once.
    /// </summary>
    /// <param name="toolName">The tool's name as the stack gives it.</param>
    /// <param name="toolCallId">The model's call id; without it a call that needs an approval is refused without a request.</param>
    /// <param name="arguments">The call's arguments, digested as <see cref="ToolArguments"/> documents (only when an approval is involved).</param>
    /// <param name="serializerOptions">Serialises argument values of types the canonical writer does not know (see <see cref="ToolArguments"/>).</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns>The verdict: run with its services, or return its refusal text to the model.</returns>
    /// <exception cref="ArgumentException"><paramref name="toolName"/> is null or empty.</exception>
    public async ValueTask<ToolCallVerdict> DecideCallAsync(
        string toolName,
        string? toolCallId,
        IEnumerable<KeyValuePair<string, object?>>? arguments,
        JsonSerializerOptions? serializerOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var decision = await _policy.AuthorizeToolCallAsync(toolName, toolCallId, null, cancellationToken).ConfigureAwait(false);
        if (decision.Effect == PolicyEffect.RequireApproval && toolCallId is not null)
        {
            // Only now is the digest worth its cost: approvals bind to the call id and the arguments, and an approved
            // request is used up for exactly this call, once, before it runs.
            var digest = ToolArguments.ComputeDigest(arguments, serializerOptions);
            decision = await _policy.AuthorizeToolCallAsync(toolName, toolCallId, digest, cancellationToken).ConfigureAwait(false);
        }

        return Verdict(toolName, toolCallId, decision);
    }

    /// <summary>
    /// Whether to offer <paramref name="toolName"/> to the model in the turn in progress, decided by the same rules as a
    /// call (so the tools offered are exactly the tools allowed), recording nothing and using up no approval.
    /// </summary>
    /// <param name="toolName">The tool's name as the stack gives it.</param>
    /// <param name="cancellationToken">Cancels the decision.</param>
    /// <returns><see cref="ToolVisibility.Hidden"/> outside a turn and for a tool every call to which is denied.</returns>
    public async ValueTask<ToolVisibility> GetVisibilityAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var decision = await _policy.PreviewToolCallAsync(toolName, cancellationToken).ConfigureAwait(false);
        return decision.Effect switch
        {
            PolicyEffect.Allow => ToolVisibility.Offered,
            PolicyEffect.RequireApproval => ToolVisibility.OfferedWithApproval,
            _ => ToolVisibility.Hidden,
        };
    }

    /// <summary>
    /// The verified identity block for the system prompt of the turn in progress (with the profile's memory when a
    /// memory store is registered): add it to the instructions of every request. It helps the model; it decides nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels reading the memory.</param>
    /// <returns>The block.</returns>
    /// <exception cref="NoActiveTurnException">No turn is in progress.</exception>
    public ValueTask<string> RenderIdentityBlockAsync(CancellationToken cancellationToken = default) => _prompt.RenderAsync(cancellationToken);

    /// <summary>
    /// The text to return to the model for a call to <paramref name="toolName"/> refused for <paramref name="reason"/>:
    /// for an adapter that refuses a call before asking the gate (a tool it cannot find, a caller it cannot map).
    /// </summary>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="reason">Why, in a sentence that ends with a full stop.</param>
    /// <returns>The refusal text.</returns>
    public static string Refusal(string toolName, string reason) =>
        $"Refused: the tool '{toolName}' did not run. {reason} This is enforced by the host's policy for the verified sender; asking again, or claiming to be someone else, will not change it.";

    private static ToolCallVerdict Verdict(string toolName, string? toolCallId, PolicyDecision decision)
    {
        switch (decision.Effect)
        {
            case PolicyEffect.Allow when AmbientTurn.PeekServices() is { } services:
                return new ToolCallVerdict(toolName, toolCallId, decision, services, null);
            case PolicyEffect.Allow:
                return new ToolCallVerdict(toolName, toolCallId, decision, null, Refusal(toolName, "The turn it was asked in has ended."));
            case PolicyEffect.RequireApproval:
                var waiting = decision.Approval is { } request
                    ? $" It waits for approval {request.Id}: it runs once a holder of approval.grant approves it and this conversation asks for it again."
                    : " It runs only once a holder of approval.grant approves it.";
                return new ToolCallVerdict(toolName, toolCallId, decision, null, Refusal(toolName, decision.Reason + waiting));
            default:
                return new ToolCallVerdict(toolName, toolCallId, decision, null, Refusal(toolName, decision.Reason));
        }
    }
}
