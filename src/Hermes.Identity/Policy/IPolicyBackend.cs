namespace Hermes.Identity;

/// <summary>
/// Decides policy requests. The built-in RBAC backend is one; plug in your own (ABAC, an external
/// service) with <c>AddPolicyBackend&lt;T&gt;()</c>. Every registered backend must allow for an
/// action to go ahead. Throwing, or running past the timeout, counts as a deny.
/// </summary>
public interface IPolicyBackend
{
    /// <summary>Decides <paramref name="request"/>. Return a deny, never throw, for "no".</summary>
    ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default);
}
