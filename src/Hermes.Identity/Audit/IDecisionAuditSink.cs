namespace Hermes.Identity.Audit;

/// <summary>
/// Somewhere every recorded decision is written, beside the log: the audit file (<see cref="Policy.PolicyOptions.WriteAuditFile"/>),
/// a database (<c>AddPostgreSqlAudit</c>) or your own. Register one as a singleton:
/// <c>services.AddSingleton&lt;IDecisionAuditSink, MySink&gt;()</c>; every registered sink receives every decision made
/// by <c>AuthorizeAsync</c> and <c>AuthorizeToolCallAsync</c> (previews and explanations are not recorded).
/// </summary>
/// <remarks>
/// The decision is returned only after every sink's <see cref="WriteAsync"/> completed: a sink that completes when its
/// record is durable makes every returned decision an audited one. A sink that throws (anything but a cancellation of
/// the caller's token) makes the engine refuse the call: an allowed call, or one that would wait for an approval, becomes
/// a deny whose <see cref="PolicyDecision.Errors"/> carries the sink's message, logged as event 407
/// (<c>AuditSinkFailed</c>); a grant use, an approval or a budget charge taken by that decision stays taken. Sinks are
/// called one after the other, from many threads at once: make <see cref="WriteAsync"/> thread-safe, and keep it fast,
/// since every tool call waits for it.
/// </remarks>
public interface IDecisionAuditSink
{
    /// <summary>Writes <paramref name="record"/>; completes when it is kept (durably, for an audit that promises it).</summary>
    /// <param name="record">The decision and who, what and when it was about. Never changed after it is passed.</param>
    /// <param name="cancellationToken">The caller's token: the decision's.</param>
    /// <returns>A task that completes when the record is written.</returns>
    ValueTask WriteAsync(DecisionAuditRecord record, CancellationToken cancellationToken);
}
