using System.Collections.Concurrent;
using Hermes.Identity.Policy;

namespace Hermes.Identity.TestSupport;

/// <summary>
/// A plugged-in backend that decides nothing: it allows, so the built-in roles decide alone, and keeps every request it
/// is asked, for tests that check what the stores ask. The engine asks it only what the built-in roles allowed.
/// </summary>
public sealed class RecordingPolicyBackend : IPolicyBackend
{
    /// <summary>Every request asked so far, in order.</summary>
    public ConcurrentQueue<PolicyRequest> Requests { get; } = new();

    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Enqueue(request);
        return ValueTask.FromResult(PolicyDecision.Allow("Recorded; the built-in roles decide."));
    }
}
