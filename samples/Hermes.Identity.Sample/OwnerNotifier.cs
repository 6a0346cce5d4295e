namespace Hermes.Identity.Sample;

/// <summary>
/// Tells the people who may approve a call that it waits for them: a real host sends them a message on their
/// platform; the sample prints it and keeps the codes.
/// </summary>
public sealed class OwnerNotifier(TextWriter output) : IApprovalNotifier
{
    private readonly List<ApprovalRequest> _requests = [];

    /// <summary>The requests the bot was told about, oldest first.</summary>
    public IReadOnlyList<ApprovalRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <inheritdoc />
    public ValueTask NotifyAsync(ApprovalRequest request, IReadOnlyList<AgentProfile> approvers, CancellationToken cancellationToken)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }

        lock (output)
        {
            foreach (var approver in approvers)
            {
                output.WriteLine($"  notifier → {approver.Key} ({string.Join(", ", approver.Accounts)}): {request.ProfileKey} asks to use {request.Resource} ({request.Action}). Reply /approve {request.Id}");
            }
        }

        return ValueTask.CompletedTask;
    }
}
