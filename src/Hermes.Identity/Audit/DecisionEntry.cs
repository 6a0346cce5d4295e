
namespace Hermes.Identity.Audit;

// One decision as the decision log records it. Arguments appear only as their digest. Delegation is set for a decision in
// a turn begun from one: the record then names the job and the delegation beside the delegator (ProfileKey).
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
    string? ArgumentsDigest,
    Delegation? Delegation = null);
