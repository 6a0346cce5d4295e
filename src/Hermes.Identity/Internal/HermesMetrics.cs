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
    }

    public Counter<long> Resolutions { get; }

    public Counter<long> ConfigReloads { get; }

    public Counter<long> Turns { get; }

    public UpDownCounter<long> ActiveTurns { get; }

    public Counter<long> Decisions { get; }

    public Counter<long> BudgetRefusals { get; }

    public void Dispose() => _meter.Dispose();
}
