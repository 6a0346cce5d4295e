namespace Hermes.Identity.Tools;

/// <summary>
/// The gate's answer to one tool call (<see cref="ToolGate.DecideCallAsync"/>): run it, with <see cref="Services"/> as
/// its services, or do not, and hand <see cref="RefusalText"/> to the model as the call's result.
/// </summary>
public sealed class ToolCallVerdict
{
    internal ToolCallVerdict(string toolName, string? toolCallId, PolicyDecision decision, IServiceProvider? services, string? refusalText)
    {
        ToolName = toolName;
        ToolCallId = toolCallId;
        Decision = decision;
        Services = services;
        RefusalText = refusalText;
    }

    /// <summary>The tool's name as it was decided.</summary>
    public string ToolName { get; }

    /// <summary>The call id the model gave, or null.</summary>
    public string? ToolCallId { get; }

    /// <summary>Whether the call may run now. When false, it must not run at all.</summary>
    public bool MayRun => RefusalText is null;

    /// <summary>The policy decision, with its reason and the configuration revision that decided.</summary>
    public PolicyDecision Decision { get; }

    /// <summary>
    /// The turn's services (its DI scope: the caller's own <c>IMemoryStore</c>, <c>IWorkspace</c>, <c>ISessionStore</c>)
    /// when the call may run: run the tool with these, never with the root provider. Null when refused.
    /// </summary>
    public IServiceProvider? Services { get; }

    /// <summary>
    /// When refused, the text to return to the model as the call's result: which tool did not run and why, and that
    /// asking again or claiming another identity changes nothing. Null when the call may run.
    /// </summary>
    public string? RefusalText { get; }

    /// <summary>The approval request the call waits for, when <see cref="PolicyDecision.Effect"/> is <see cref="PolicyEffect.RequireApproval"/>.</summary>
    public ApprovalRequest? Approval => Decision.Approval;
}
