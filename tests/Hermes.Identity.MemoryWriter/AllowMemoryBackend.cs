using Hermes.Identity.Policy;

namespace Hermes.Identity.MemoryWriter;

// The child only exercises the file layer, so it allows every memory action and nothing else.
internal sealed class AllowMemoryBackend : IPolicyBackend
{
    public ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default) =>
        new(request.Action.StartsWith("memory.", StringComparison.Ordinal)
            ? PolicyDecision.Allow("memory writer child process")
            : PolicyDecision.Deny("memory writer child process allows memory actions only"));
}
