namespace Hermes.Identity.Policy;

/// <summary>Settings of the policy engine. Validated when the host starts. Nothing here turns enforcement off.</summary>
public sealed class PolicyOptions
{
    /// <summary>How long a policy backend may take to answer before its silence counts as a deny. 1 ms to 5 minutes; default: 2 seconds.</summary>
    public TimeSpan BackendTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an approved call stays runnable: the requester's conversation must ask for it again within this time of
    /// the approval, or it expires unused. 1 second to 1 day; default: 15 minutes.
    /// </summary>
    public TimeSpan ApprovalLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an approval request waits for an answer (<see cref="ApprovalRequest.ExpiresAt"/>): the owner answers in a
    /// later message, maybe from his phone an hour later. 1 minute to 7 days; default: 1 hour.
    /// </summary>
    public TimeSpan ApprovalRequestLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Whether to append every decision to the hash-chained audit file <c>audit/decisions.jsonl</c> under the data root
    /// (fsynced per record; arguments appear only as their digest). Default: <see langword="false"/>.
    /// </summary>
    public bool WriteAuditFile { get; set; }
}
