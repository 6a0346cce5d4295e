using System.Diagnostics.Metrics;

namespace Hermes.Identity.Internal;

// One meter for the library, named after the assembly. Tags are low-cardinality: outcome, role,
// effect. Never a user id or a profile key.
internal sealed class HermesMetrics : IDisposable
{
    public const string MeterName = "Hermes.Identity";

    private readonly Meter _meter;

    public HermesMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Resolutions = _meter.CreateCounter<long>("hermes.identity.resolutions", "{resolution}", "Senders resolved, by outcome (known, guest, rejected) and role.");
        ConfigReloads = _meter.CreateCounter<long>("hermes.identity.config.reloads", "{reload}", "Reloads of the identities file, by outcome (success, failure).");
        Turns = _meter.CreateCounter<long>("hermes.identity.turns", "{turn}", "Turns begun, by role.");
        ActiveTurns = _meter.CreateUpDownCounter<long>("hermes.identity.turns.active", "{turn}", "Turns in progress.");
        Decisions = _meter.CreateCounter<long>("hermes.identity.decisions", "{decision}", "Policy decisions, by effect and role.");
        BudgetRefusals = _meter.CreateCounter<long>("hermes.identity.budget.refusals", "{refusal}", "Turns, tool calls and model calls refused by an exhausted budget, by counter kind (turns, tokens, tool) and window (hour, day).");
        PairingRequests = _meter.CreateCounter<long>("hermes.identity.pairing.requests", "{request}", "Unknown senders asking to pair, by outcome (issued, pending, rate_limited, full, not_direct).");
        PairingApprovals = _meter.CreateCounter<long>("hermes.identity.pairing.approvals", "{approval}", "Pairing decisions that changed who is admitted, by outcome (approved, linked, denied, revoked).");
        PairingLinks = _meter.CreateCounter<long>("hermes.identity.pairing.links", "{link}", "Self-service account links, by outcome (code_created, linked).");
        PairingRefusals = _meter.CreateCounter<long>("hermes.identity.pairing.refusals", "{refusal}", "Pairing and linking operations refused, by operation (request, approve, deny, revoke, list, link_code, link) and reason.");
        Delegations = _meter.CreateCounter<long>("hermes.identity.delegations", "{delegation}", "Delegations created, revoked, admitted (a turn began from one) and refused, by outcome.");
        Approvals = _meter.CreateCounter<long>("hermes.identity.approvals", "{event}", "Approval requests asked, answered, refused and used, by outcome.");
        Grants = _meter.CreateCounter<long>("hermes.identity.grants", "{event}", "Grants issued, used, refused and revoked, by outcome.");
    }

    public Counter<long> Resolutions { get; }

    public Counter<long> ConfigReloads { get; }

    public Counter<long> Turns { get; }

    public UpDownCounter<long> ActiveTurns { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> BudgetRefusals { get; }
    public Counter<long> PairingRequests { get; }

    public Counter<long> PairingApprovals { get; }

    public Counter<long> PairingLinks { get; }

    public Counter<long> PairingRefusals { get; }

    public Counter<long> Delegations { get; }

    public Counter<long> Approvals { get; }

    public Counter<long> Grants { get; }

    public void Dispose() => _meter.Dispose();
}
