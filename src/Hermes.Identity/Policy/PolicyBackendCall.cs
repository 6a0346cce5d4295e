namespace Hermes.Identity.Policy;

// Asks one plugged-in backend, failing closed: a throw, a timeout, no answer, an effect that is not one of the three,
// or an allow that reports errors is a deny with the error recorded. The engine composes the answers.
internal static class PolicyBackendCall
{
    public static async ValueTask<PolicyDecision> AskAsync(IPolicyBackend backend, PolicyRequest request, string revision, TimeSpan limit, TimeProvider time, CancellationToken cancellationToken)
    {
        var name = backend.GetType().Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        PolicyDecision? decision;
        try
        {
            var pending = backend.EvaluateAsync(request, timeout.Token);
            decision = pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(limit, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || ex is OperationCanceledException && timeout.IsCancellationRequested)
        {
            return Failure("The policy could not be evaluated in time, so the action is refused.", $"{name}: no answer within {limit.TotalMilliseconds:0} ms.", revision);
        }
#pragma warning disable CA1031 // Fail closed: whatever a backend throws is a deny, with the error recorded.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failure("The policy could not be evaluated, so the action is refused.", $"{name}: {ex.GetType().Name}: {ex.Message}", revision);
        }

        if (decision is null)
        {
            return Failure("A policy backend gave no answer, so the action is refused.", $"{name}: returned no decision.", revision);
        }

        if (!Enum.IsDefined(decision.Effect))
        {
            return Failure("A policy backend gave an answer that is not allow, deny or require approval, so the action is refused.", $"{name}: returned effect {(int)decision.Effect}.", revision);
        }

        if (decision.Errors.Count > 0 && decision.Effect != PolicyEffect.Deny)
        {
            return new PolicyDecision(PolicyEffect.Deny, "The policy reported errors, so the action is refused.", decision.RuleIds, revision) { Errors = decision.Errors };
        }

        return decision.Revision is null
            ? new PolicyDecision(decision.Effect, decision.Reason, decision.RuleIds, revision) { Errors = decision.Errors, Approval = decision.Approval }
            : decision;
    }

    public static PolicyDecision Failure(string reason, string error, string? revision) =>
        new(PolicyEffect.Deny, reason, null, revision) { Errors = [error] };
}
