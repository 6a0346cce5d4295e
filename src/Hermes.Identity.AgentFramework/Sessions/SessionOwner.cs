using Microsoft.Agents.AI;

namespace Hermes.Identity.AgentFramework.Sessions;

// Which person an AgentSession belongs to: stamped into its StateBag (so it travels with the serialised session)
// the first time it is used in a turn, and checked on every later use. A session stamped for one profile is refused
// in anyone else's turn and outside a turn, before anything in it (its messages, its service conversation id, its
// providers' state) reaches a request.
internal static class SessionOwner
{
    public const string StateKey = "hermes.identity.owner";

    /// <summary>Stamps <paramref name="session"/> for the turn's profile, or throws when it is someone else's.</summary>
    /// <exception cref="AccessDeniedException">The session belongs to another profile, or to someone while no turn is in progress.</exception>
    public static void Claim(AgentSession session, TurnContext? turn)
    {
        var owner = session.StateBag.TryGetValue<string>(StateKey, out var stamped, AgentJsonContext.Default.Options) ? stamped : null;
        if (turn is null)
        {
            if (owner is not null)
            {
                throw Refused("No turn is in progress, and this agent session belongs to a person. Begin that person's turn (ITurnScopeFactory.BeginTurn) before running the agent with it.");
            }

            return;
        }

        if (owner is null)
        {
            session.StateBag.SetValue(StateKey, turn.Profile.Key, AgentJsonContext.Default.Options);
            return;
        }

        if (!string.Equals(owner, turn.Profile.Key, StringComparison.Ordinal))
        {
            throw Refused("This agent session belongs to another person. Keep one AgentSession per person (or make a new one per message: HermesChatHistoryProvider keeps the history in the person's own store) and never pass one person's session to another's turn.", turn.Revision);
        }
    }

    /// <summary>The profile <paramref name="session"/> is stamped for, or null.</summary>
    public static string? Of(AgentSession session) =>
        session.StateBag.TryGetValue<string>(StateKey, out var stamped, AgentJsonContext.Default.Options) ? stamped : null;

    // The owner is not named: the exception may reach a log the other person's host operator reads.
    internal static AccessDeniedException Refused(string reason, string? revision = null) =>
        new("agent.session", null, PolicyDecision.Deny(reason, revision));
}
