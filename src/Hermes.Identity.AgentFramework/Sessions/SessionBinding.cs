namespace Hermes.Identity.AgentFramework.Sessions;

// The profile's store session an AgentSession's history lives in (HermesChatHistoryProvider's state).
internal sealed record SessionBinding(string Profile, string SessionId);
