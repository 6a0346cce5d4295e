
namespace Hermes.Identity.Audit;

// One decision as the decision log records it. Arguments appear only as their digest.
internal readonly record struct DecisionEntry(
    DateTimeOffset Time,
    string? ProfileKey,
    string? Role,
    SenderEnvelope? Sender,
    string Action,
    string? Resource,
    PolicyDecision Decision,
    string? TurnId,
    string? ToolCallId,
    string? ArgumentsDigest);
