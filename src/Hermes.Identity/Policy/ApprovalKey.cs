namespace Hermes.Identity;

// What an approval is bound to: compared as a whole, so another call id, other arguments, another
// turn or another person never matches.
internal readonly record struct ApprovalKey(string ProfileKey, string TurnId, string ToolCallId, string ArgumentsDigest, string Action, string? Resource);
