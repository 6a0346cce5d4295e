namespace Hermes.Identity;

/// <summary>
/// Told when a tool call needs an approval, so the host can message the people who may give it. Register any number
/// (<c>services.AddSingleton&lt;IApprovalNotifier, MyNotifier&gt;()</c>); each is called once per new request, after the
/// request is stored, within the requester's turn. A notifier that throws is logged and never changes the decision;
/// a slow one delays the requester's reply, so hand the message to a queue if sending can take long.
/// </summary>
public interface IApprovalNotifier
{
    /// <summary>A new request waits for an answer.</summary>
    /// <param name="request">The stored request; tell the approvers its <see cref="ApprovalRequest.Id"/>.</param>
    /// <param name="approvers">
    /// The profiles of the configuration in force whose roles hold <c>approval.grant</c>, the requester excepted (a
    /// requester never approves their own call). Empty when nobody can approve it.
    /// </param>
    /// <param name="cancellationToken">The requester's turn's token.</param>
    ValueTask NotifyAsync(ApprovalRequest request, IReadOnlyList<AgentProfile> approvers, CancellationToken cancellationToken);
}
