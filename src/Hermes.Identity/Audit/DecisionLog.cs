using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Audit;

// Where every decision goes: a log line, the hermes.identity.decisions counter (effect, role), and the audit sinks:
// the audit file when it is on, then every IDecisionAuditSink registered. Nothing here allocates on the allow path
// unless someone listens.
internal sealed class DecisionLog : IDisposable
{
    private readonly ILogger _logger;
    private readonly HermesMetrics? _metrics;
    private readonly DecisionAuditFile? _audit;
    private readonly IDecisionAuditSink[] _sinks;

    public DecisionLog(HermesMetrics? metrics, ILoggerFactory? loggerFactory, string? auditFilePath, IEnumerable<IDecisionAuditSink>? sinks = null)
    {
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Policy");
        _audit = auditFilePath is null ? null : new DecisionAuditFile(auditFilePath, _logger);
        IEnumerable<IDecisionAuditSink> all = _audit is null ? [] : [_audit];
        _sinks = [.. all.Concat(sinks ?? [])];
    }

    /// <summary>A log that records nothing: for an engine built by hand.</summary>
    public static DecisionLog Disabled { get; } = new(null, null, null);

    public ILogger Logger => _logger;

    /// <summary>Whether a record needs its time (an audit sink does; a log line has its own).</summary>
    public bool NeedsTime => _sinks.Length > 0;

    /// <summary>Whether a recorded decision goes to an audit sink, to be awaited before it returns.</summary>
    public bool HasSinks => _sinks.Length > 0;

    /// <summary>Whether recording <paramref name="decision"/> would reach anyone: lets the allow path skip building the entry.</summary>
    public bool IsRecording(PolicyDecision decision) =>
        _sinks.Length > 0
        || _metrics is { Decisions.Enabled: true }
        || decision.Errors.Count > 0
        || _logger.IsEnabled(decision.Effect == PolicyEffect.Allow ? LogLevel.Debug : LogLevel.Information);

    public void Record(in DecisionEntry entry)
    {
        var decision = entry.Decision;
        if (_metrics is { Decisions.Enabled: true })
        {
            _metrics.Decisions.Add(1, new("effect", DecisionAuditFile.EffectName(decision.Effect)), new("role", entry.Role ?? "none"));
        }

        if (entry.Delegation is { } delegation)
        {
            if (decision.Effect == PolicyEffect.Allow)
            {
                Log.PolicyAllowedForJob(_logger, entry.Action, entry.Resource, delegation.Job, entry.ProfileKey, entry.Role, delegation.Id, decision.Revision, decision.Reason);
            }
            else
            {
                Log.PolicyRefusedForJob(_logger, decision.Effect, entry.Action, entry.Resource, delegation.Job, entry.ProfileKey, entry.Role, delegation.Id, decision.Revision, decision.Reason);
            }
        }
        else if (decision.Effect == PolicyEffect.Allow)
        {
            Log.PolicyAllowed(_logger, entry.Action, entry.Resource, entry.ProfileKey, entry.Role, decision.Revision, decision.Reason);
        }
        else
        {
            Log.PolicyRefused(_logger, decision.Effect, entry.Action, entry.Resource, entry.ProfileKey, entry.Role, decision.Revision, decision.Reason);
        }

        if (decision.Errors.Count > 0)
        {
            Log.PolicyBackendFailed(_logger, entry.Action, entry.ProfileKey, string.Join("; ", decision.Errors));
        }

    }

    /// <summary>
    /// Writes <paramref name="entry"/> to every sink, one after the other; completes when the last one has. Without an
    /// asynchronous sink (the file alone), completes before it returns.
    /// </summary>
    public ValueTask WriteAsync(in DecisionEntry entry, CancellationToken cancellationToken)
    {
        var record = new DecisionAuditRecord
        {
            Time = entry.Time,
            Profile = entry.ProfileKey,
            Role = entry.Role,
            Sender = entry.Sender,
            Action = entry.Action,
            Resource = entry.Resource,
            Decision = entry.Decision,
            TurnId = entry.TurnId,
            ToolCallId = entry.ToolCallId,
            ArgumentsDigest = entry.ArgumentsDigest,
            Delegation = entry.Delegation,
        };
        for (var i = 0; i < _sinks.Length; i++)
        {
            var pending = _sinks[i].WriteAsync(record, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return WriteRestAsync(pending, record, i + 1, cancellationToken);
            }
        }

        return default;
    }

    /// <summary>
    /// What the caller gets when a sink failed: a deny stays the deny it was; anything else is refused, since it could
    /// not be audited. Logged as Critical either way.
    /// </summary>
    public PolicyDecision AuditFailed(in DecisionEntry entry, Exception failure)
    {
        Log.AuditSinkFailed(_logger, entry.Action, entry.ProfileKey, failure.Message);
        return entry.Decision.Effect == PolicyEffect.Deny
            ? entry.Decision
            : new PolicyDecision(PolicyEffect.Deny, $"The decision could not be written to the audit, so the call is refused: {failure.Message}", null, entry.Decision.Revision)
            {
                Errors = [failure.Message],
            };
    }

    public void Dispose() => _audit?.Dispose();

    private async ValueTask WriteRestAsync(ValueTask pending, DecisionAuditRecord record, int next, CancellationToken cancellationToken)
    {
        await pending.ConfigureAwait(false);
        for (var i = next; i < _sinks.Length; i++)
        {
            await _sinks[i].WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }
}
