using Hermes.Identity.AI.Internal;
using Hermes.Identity.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.Identity.AI.Sessions;

// Within a turn whose scope has an ISessionStore: puts the profile's recent conversation before the new
// messages, and appends the new messages and the reply to the profile's current session afterwards.
// Outside a turn, or without a store, it passes the request through untouched: there is no profile to read.
internal sealed class SessionHistoryChatClient(IChatClient innerClient, int historyLimit, TurnAccess turns, TimeProvider time) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var store = turns.Services?.GetService<ISessionStore>();
        if (store is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var session = await store.OpenCurrentSessionAsync(cancellationToken).ConfigureAwait(false);
        var history = await store.GetMessagesAsync(session.Id, historyLimit, cancellationToken).ConfigureAwait(false);
        var incoming = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var all = new List<ChatMessage>(history.Count + incoming.Count);
        all.AddRange(SessionChatMessages.ToChatMessages(history));
        all.AddRange(incoming);
        var response = await base.GetResponseAsync(all, options, cancellationToken).ConfigureAwait(false);

        var toStore = SessionChatMessages.ToSessionMessages(incoming.Concat(response.Messages), time.GetUtcNow());
        await store.AppendAsync(session.Id, toStore, cancellationToken).ConfigureAwait(false);
        return response;
    }

    // Streaming is passed through without history: a reply only streams once, so it is persisted by the caller.
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, options, cancellationToken);
}
