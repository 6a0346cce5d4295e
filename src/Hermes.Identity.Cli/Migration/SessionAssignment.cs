namespace Hermes.Identity.Cli.Migration;

/// <summary>Whose profile a Hermes conversation goes to (and as which sender), or why it goes nowhere.</summary>
internal sealed record SessionAssignment(HermesSession Session, string? ProfileKey, SenderEnvelope? Sender, string? Reason);
