using Hermes.Identity.AI.Sessions;
using Hermes.Identity.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AgentFramework.Sessions;

/// <summary>
/// A <see cref="ChatHistoryProvider"/> for <see cref="ChatClientAgent"/> that keeps each person's conversation in
/// their own <see cref="ISessionStore"/> (the turn's, such as <c>AddSqliteSessions()</c>'s), never in the
/// <see cref="AgentSession"/> object: set it as <see cref="ChatClientAgentOptions.ChatHistoryProvider"/>.
/// </summary>
/// <remarks>
/// <para>
/// On its first use in a turn an <see cref="AgentSession"/> is bound to that profile and to the profile's current
/// store session for the turn's conversation (<see cref="ISessionStore.OpenCurrentSessionAsync"/>), so a new
/// <see cref="AgentSession"/>, after a restart too, continues the stored conversation. Before each run the last
/// <c>historyLimit</c> stored messages go before the new ones (the user's and the assistant's text, and the calls that
/// still wait for an approval); after it, the new messages and the reply are appended, each message once. The encoding
/// is the one <c>UseHermesSessionHistory()</c> uses, so both read the same sessions.
/// </para>
/// <para>
/// It replaces <c>UseHermesSessionHistory()</c> under an agent: do not use both. A <see cref="ChatClientAgent"/> sends
/// its own history provider's messages to its chat client, so with <c>UseHermesSessionHistory()</c> in that chat
/// client (and the agent's default <see cref="InMemoryChatHistoryProvider"/>) every earlier message would be sent
/// twice, and stored again on every run.
/// </para>
/// <para>
/// A session bound to one person is refused in anyone else's turn and outside a turn with
/// <see cref="AccessDeniedException"/> (action <c>agent.session</c>): one person's history never loads for another.
/// Outside a turn an unbound session gets no history and nothing is stored.
/// </para>
/// </remarks>
public sealed class HermesChatHistoryProvider : ChatHistoryProvider
{
    private readonly ICurrentProfile _current;
    private readonly int _historyLimit;
    private readonly TimeProvider _time;

    /// <summary>Creates the provider.</summary>
    /// <param name="currentProfile">The host's <see cref="ICurrentProfile"/> (from <c>AddHermesIsolation</c>'s services).</param>
    /// <param name="historyLimit">How many stored messages to send before the new ones, from 1 to 10,000. Default: 100.</param>
    /// <param name="timeProvider">Stamps messages that carry no time; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="currentProfile"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="historyLimit"/> is outside 1 to 10,000.</exception>
    public HermesChatHistoryProvider(ICurrentProfile currentProfile, int historyLimit = 100, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(currentProfile);
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(historyLimit, 10_000);
        _current = currentProfile;
        _historyLimit = historyLimit;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <exception cref="AccessDeniedException">The session belongs to another person, or to someone while no turn is in progress.</exception>
    /// <exception cref="InvalidOperationException">The turn's services have no <see cref="ISessionStore"/>.</exception>
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await BindAsync(context.Session, rebind: false, cancellationToken).ConfigureAwait(false) is not var (store, sessionId))
        {
            return [];
        }

        IReadOnlyList<SessionMessage> history;
        try
        {
            history = await store.GetMessagesAsync(sessionId, _historyLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionNotFoundException)
        {
            // The bound store session was deleted: continue in the conversation's current one.
            (store, sessionId) = (await BindAsync(context.Session, rebind: true, cancellationToken).ConfigureAwait(false))!.Value;
            history = await store.GetMessagesAsync(sessionId, _historyLimit, cancellationToken).ConfigureAwait(false);
        }

        return SessionChatMessages.ToChatMessages(history);
    }

    /// <inheritdoc/>
    /// <exception cref="AccessDeniedException">The session belongs to another person, or to someone while no turn is in progress.</exception>
    /// <exception cref="InvalidOperationException">The turn's services have no <see cref="ISessionStore"/>.</exception>
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await BindAsync(context.Session, rebind: false, cancellationToken).ConfigureAwait(false) is not var (store, sessionId))
        {
            return;
        }

        var toStore = SessionChatMessages.ToSessionMessages(context.RequestMessages.Concat(context.ResponseMessages ?? []), _time.GetUtcNow());
        if (toStore.Count > 0)
        {
            await store.AppendAsync(sessionId, toStore, cancellationToken).ConfigureAwait(false);
        }
    }

    // The turn's store and the store session this AgentSession is bound to, binding it now if it is new; null outside a turn.
    private async ValueTask<(ISessionStore Store, string SessionId)?> BindAsync(AgentSession? session, bool rebind, CancellationToken cancellationToken)
    {
        var turn = CurrentTurn(out var services);
        if (session is not null)
        {
            SessionOwner.Claim(session, turn);
        }

        if (turn is null || services is null)
        {
            return null;
        }

        var store = services.GetService<ISessionStore>() ?? throw new InvalidOperationException(
            "HermesChatHistoryProvider needs a session store in the turn's services. Add one to Hermes.Identity: " +
            "services.AddHermesIsolation(...).AddSqliteSessions().");
        var key = StateKeys[0];
        if (!rebind && session is not null && session.StateBag.TryGetValue<SessionBinding>(key, out var bound, AgentJsonContext.Default.Options)
            && bound is not null && string.Equals(bound.Profile, turn.Profile.Key, StringComparison.Ordinal))
        {
            return (store, bound.SessionId);
        }

        var current = await store.OpenCurrentSessionAsync(cancellationToken).ConfigureAwait(false);
        session?.StateBag.SetValue(key, new SessionBinding(turn.Profile.Key, current.Id), AgentJsonContext.Default.Options);
        return (store, current.Id);
    }

    private TurnContext? CurrentTurn(out IServiceProvider? services)
    {
        services = null;
        try
        {
            if (!_current.IsInTurn)
            {
                return null;
            }

            var turn = _current.Turn;
            services = _current.Services;
            return turn;
        }
        catch (NoActiveTurnException)
        {
            return null; // the turn ended between the reads
        }
    }
}
