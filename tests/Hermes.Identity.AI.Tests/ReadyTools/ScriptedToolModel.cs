using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Hermes.Identity.AI.Tests.ReadyTools;

// The model of these tests: on a user message it asks for the tool calls it was given, with their arguments as the JSON
// text a Hermes Agent prompt makes a model send (parsed the way M.E.AI's provider clients parse them: values are
// JsonElement); once the results are back it answers with text. Everything it calls runs for real.
internal sealed class ScriptedToolModel : IChatClient
{
    private readonly Queue<(string Name, string Json)[]> _turns = new();
    private int _callIds;

    /// <summary>The calls to ask for on the next user message.</summary>
    public void Next(params (string Name, string Json)[] calls) => _turns.Enqueue(calls);

    /// <summary>The tools the pipeline offered on the last request.</summary>
    public IReadOnlyList<string> Offered { get; private set; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Offered = options?.Tools?.Select(t => t.Name).ToList() ?? [];
        var last = messages.Last();
        if (last.Contents.OfType<FunctionResultContent>().Any() || _turns.Count == 0)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "done")));
        }

        var calls = _turns.Dequeue().Select(call => (AIContent)FunctionCallContent.CreateFromParsedArguments(
            call.Json,
            $"call_{Interlocked.Increment(ref _callIds)}",
            call.Name,
            json => JsonSerializer.Deserialize<Dictionary<string, object?>>(json))).ToList();
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, calls)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
