namespace Hermes.Identity.Policy;

/// <summary>
/// The one place policy decisions are made. Takes the profile from the current turn, asks every
/// backend, and denies when there is no turn, no backend, or a backend fails.
/// </summary>
public sealed class PolicyEngine
{
    private readonly IPolicyBackend[] _backends;
    private readonly ICurrentProfile _current;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly TimeProvider _time;

    /// <summary>Creates the engine. Resolve it from DI; it is registered by <c>AddHermesIsolation</c>.</summary>
    public PolicyEngine(IEnumerable<IPolicyBackend> backends, ICurrentProfile current, IIdentitySnapshotProvider snapshots, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(backends);
        _backends = [.. backends];
        _current = current;
        _snapshots = snapshots;
        _time = time;
    }

    /// <summary>Decides whether the current turn's profile may do <paramref name="action"/> on <paramref name="resource"/>.</summary>
    public async ValueTask<PolicyDecision> AuthorizeAsync(string action, string? resource = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        if (!_current.IsInTurn)
        {
            return PolicyDecision.Deny("No turn is in progress, so there is nobody to act for.");
        }

        var turn = _current.Turn;
        var revision = _snapshots.Current.Revision;
        var request = new PolicyRequest(turn.Profile, action, resource)
        {
            Sender = turn.Sender,
            Revision = revision,
            TurnId = turn.TurnId,
            Time = _time.GetUtcNow(),
        };
        return await EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Decides whether the current turn's profile may call tool <paramref name="toolName"/>: the action is
    /// <c>tool.&lt;category&gt;</c> from the <c>tools:</c> map, the resource is the tool's name.
    /// </summary>
    public ValueTask<PolicyDecision> AuthorizeToolCallAsync(string toolName, string? toolCallId = null, string? argumentsDigest = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        if (!_current.IsInTurn)
        {
            return new(PolicyDecision.Deny("No turn is in progress, so there is nobody to act for."));
        }

        var turn = _current.Turn;
        var snapshot = _snapshots.Current;
        // A tool missing from the map gets a category no role names; only an allow-everything rule reaches it.
        var category = snapshot.Tools.TryGetValue(toolName, out var c) ? c : "unlisted";
        var request = new PolicyRequest(turn.Profile, PolicyActions.ForToolCategory(category), toolName)
        {
            Sender = turn.Sender,
            Revision = snapshot.Revision,
            TurnId = turn.TurnId,
            ToolCallId = toolCallId,
            ArgumentsDigest = argumentsDigest,
            Time = _time.GetUtcNow(),
        };
        return EvaluateAsync(request, cancellationToken);
    }

    /// <summary>The tools, of <paramref name="toolNames"/>, that the current turn's profile may call: computed by the same rules as each call.</summary>
    public async ValueTask<IReadOnlyList<string>> GetVisibleToolsAsync(IEnumerable<string> toolNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolNames);
        var visible = new List<string>();
        foreach (var name in toolNames)
        {
            var decision = await AuthorizeToolCallAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (decision.Effect != PolicyEffect.Deny)
            {
                visible.Add(name);
            }
        }

        return visible;
    }

    /// <summary>Decides a fully built request: every backend must allow.</summary>
    public async ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_backends.Length == 0)
        {
            return PolicyDecision.Deny("No policy backend is registered, so nothing is allowed.", request.Revision);
        }

        PolicyDecision? last = null;
        foreach (var backend in _backends)
        {
            PolicyDecision decision;
            try
            {
                decision = await backend.EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Fail closed: whatever a backend throws is a deny, recorded.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return new PolicyDecision(PolicyEffect.Deny, "The policy could not be evaluated, so the action is refused.", null, request.Revision)
                {
                    Errors = [$"{backend.GetType().Name}: {ex.GetType().Name}: {ex.Message}"],
                };
            }

            if (decision is null || decision.Effect == PolicyEffect.Deny)
            {
                return decision ?? PolicyDecision.Deny("A policy backend gave no answer.", request.Revision);
            }

            last = last is { Effect: PolicyEffect.RequireApproval } ? last : decision;
        }

        return last!;
    }
}
