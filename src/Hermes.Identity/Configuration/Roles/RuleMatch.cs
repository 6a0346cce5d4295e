namespace Hermes.Identity.Configuration.Roles;

// Every rule of one rule set that matches one action, by kind: what a decision and its explanation are made of.
internal sealed class RuleMatch
{
    public RuleMatch(RuleEffects effects, string[] allowIds, string[] denyIds, string[] approvalIds, bool capRefused)
    {
        CapRefused = capRefused;
        Effects = effects;
        AllowIds = allowIds;
        DenyIds = denyIds;
        ApprovalIds = approvalIds;
    }

    public RuleEffects Effects { get; }

    public string[] AllowIds { get; }

    public string[] DenyIds { get; }

    public string[] ApprovalIds { get; }

    /// <summary>The rules allowed it but the guest cap of an automated sender did not, so it falls to the default deny.</summary>
    public bool CapRefused { get; }

    public bool IsDenied => (Effects & RuleEffects.Deny) != 0;

    public bool IsAllowed => !IsDenied && (Effects & RuleEffects.Allow) != 0;

    public bool NeedsApproval => IsAllowed && (Effects & RuleEffects.Approval) != 0;

    /// <summary>The rules that decided: the denies if any, else the allows (and approvals), else none (the default deny).</summary>
    public string[] DecidingIds => IsDenied ? DenyIds : IsAllowed ? [.. AllowIds, .. NeedsApproval ? ApprovalIds : []] : [];
}
