using System.Runtime.CompilerServices;
using Hermes.Identity.SemanticKernel.Internal;
using Hermes.Identity.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Hermes.Identity.SemanticKernel.Chat;

// Wraps each chat completion service of the kernel. For a request made within a turn it offers the model only the
// functions the sender may see (FunctionOffer), puts the verified identity block (with the sender's memory) after the
// caller's system messages, and runs the connector's function loop on a TurnChatHistory, whose new messages (the
// model's calls and the results) are copied back to the caller's history as SK itself would have added them. Outside
// a turn no function is offered. Calls themselves are judged by HermesFunctionFilter, not here.
internal sealed class HermesChatCompletionService(IChatCompletionService inner, ToolGate gate, ILogger logger) : IChatCompletionService
{
    private readonly FunctionOffer _offer = new(gate);

    public IReadOnlyDictionary<string, object?> Attributes => inner.Attributes;

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var (working, settings, added) = await PrepareAsync(chatHistory, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.GetChatMessageContentsAsync(working, settings, kernel, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CopyBack(working, added, chatHistory);
        }
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var (working, settings, added) = await PrepareAsync(chatHistory, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var update in inner.GetStreamingChatMessageContentsAsync(working, settings, kernel, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }
        }
        finally
        {
            CopyBack(working, added, chatHistory);
        }
    }

    private async ValueTask<(ChatHistory Working, PromptExecutionSettings? Settings, int Added)> PrepareAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings, Kernel? kernel, CancellationToken cancellationToken)
    {
        var settings = await _offer.FilterAsync(executionSettings, chatHistory, kernel, cancellationToken).ConfigureAwait(false);
        if (gate.CurrentTurn is null)
        {
            Log.RequestOutsideTurn(logger);
            return (chatHistory, settings, -1);
        }

        var block = await gate.RenderIdentityBlockAsync(cancellationToken).ConfigureAwait(false);
        var messages = new List<ChatMessageContent>(chatHistory.Count + 1);
        var i = 0;
        while (i < chatHistory.Count && (chatHistory[i].Role == AuthorRole.System || chatHistory[i].Role == AuthorRole.Developer))
        {
            messages.Add(chatHistory[i++]);
        }

        messages.Add(new ChatMessageContent(AuthorRole.System, block));
        while (i < chatHistory.Count)
        {
            messages.Add(chatHistory[i++]);
        }

        return (new TurnChatHistory(messages, gate, logger), settings, messages.Count);
    }

    // What the connector appended to the working history (the model's calls and their results) goes to the caller's.
    private static void CopyBack(ChatHistory working, int added, ChatHistory chatHistory)
    {
        if (added < 0)
        {
            return; // outside a turn the caller's own history was used
        }

        for (var i = added; i < working.Count; i++)
        {
            chatHistory.Add(working[i]);
        }
    }
}
