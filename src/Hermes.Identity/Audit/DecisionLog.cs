using Hermes.Identity.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Identity.Audit;

// Where every decision goes: a log line, the hermes.identity.decisions counter (effect, role), and
// the audit file when it is on. Nothing here allocates on the allow path unless someone listens.
internal sealed class DecisionLog : IDisposable
{
    private readonly ILogger _logger;
    private readonly HermesMetrics? _metrics;
    private readonly DecisionAuditFile? _audit;

    public DecisionLog(HermesMetrics? metrics, ILoggerFactory? loggerFactory, string? auditFilePath)
    {
        _metrics = metrics;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hermes.Identity.Policy");
        _audit = auditFilePath is null ? null : new DecisionAuditFile(auditFilePath, _logger);
    }

    /// <summary>A log that records nothing: for an engine built by hand.</summary>
    public static DecisionLog Disabled { get; } = new(null, null, null);

    public ILogger Logger => _logger;

    /// <summary>Whether a record needs its time (the audit file does; a log line has its own).</summary>
    public bool NeedsTime => _audit is not null;

    /// <summary>Whether recording <paramref name="decision"/> would reach anyone: lets the allow path skip building the entry.</summary>
    public bool IsRecording(PolicyDecision decision) =>
        _audit is not null
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

        _audit?.Append(entry);
    }

    public void Dispose() => _audit?.Dispose();
}
