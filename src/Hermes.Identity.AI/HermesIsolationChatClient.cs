using System.Runtime.CompilerServices;
using Hermes.Identity.AI.Approvals;
using Hermes.Identity.AI.Internal;
using Hermes.Identity.AI.Tools;
using Hermes.Identity.Budgets;
using Hermes.Identity.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI;

// Arranges each request made within a turn: offers only the tools the policy shows this profile (ToolOffer), adds the
// identity block (and memory) to the instructions, has approval requests stored and answered from the store
// (ApprovalAnswers), and sends calls the loop handed back to UnknownCallAnswers. It judges no call itself: every
// function call, whichever way it comes, goes through the one ToolCallGate, which it installs in the
// function-invocation loop inside it once.
internal sealed class HermesIsolationChatClient : DelegatingChatClient
{
    private readonly ToolGate _gate;
    private readonly TurnAccess _turns;
    private readonly ApprovalAnswers _approvals;
    private readonly ToolOffer _offer;
    private readonly UnknownCallAnswers _unknown;
    private readonly FunctionInvokingChatClient _loop;
    private readonly ILogger _logger;
    private readonly BudgetLedger? _budgets;

    public HermesIsolationChatClient(IChatClient innerClient, ToolGate toolGate, TurnAccess turns, ApprovalAnswers approvals, ILogger logger, BudgetLedger? budgets = null)
        : base(innerClient)
    {
        _budgets = budgets;
        _gate = toolGate;
        _turns = turns;
        _approvals = approvals;
        _logger = logger;
        _loop = innerClient.GetService<FunctionInvokingChatClient>() ?? throw new InvalidOperationException(
            "UseHermesIsolation() found no function-invocation loop inside it, so it could not gate tool calls. Put it before " +
            "UseFunctionInvocation() in the builder: new ChatClientBuilder(model).UseHermesIsolation().UseFunctionInvocation().Build(services). " +
            "A loop outside it would run tools without asking the policy.");

        var gate = new ToolCallGate(toolGate, logger);
        _offer = new ToolOffer(toolGate, gate);
        _unknown = new UnknownCallAnswers(gate);

        // A name the loop has never heard of comes back to this client, which sends it through the gate (see UnknownCallAnswers).
        _loop.TerminateOnUnknownCalls = true;
        var next = _loop.FunctionInvoker;
        _loop.FunctionInvoker = (context, ct) => gate.InvokeFromLoopAsync(context, next, ct);
        _loop.AdditionalTools = new FlowToolList(_loop.AdditionalTools);
    }

    // Answers GetService<ToolGate>(), so another adapter (Agent Framework's) can tell this pipeline is isolated already.
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ToolGate) ? _gate : base.GetService(serviceType, serviceKey);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (_turns.Current is not { } turn)
        {
            Log.RequestOutsideTurn(_logger);
            var stripped = WithoutTools(options);
            var reply = await base.GetResponseAsync(messages, stripped, cancellationToken).ConfigureAwait(false);
            return await AnswerUnknownCallsAsync(messages, stripped, reply, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfTokensUsedUp();
        var (preparedMessages, preparedOptions, withheld) = await PrepareAsync(messages, options, turn, cancellationToken).ConfigureAwait(false);
        FlowToolList.Current = withheld; // this async method's own flow: restored when it returns
        var response = await base.GetResponseAsync(preparedMessages, preparedOptions, cancellationToken).ConfigureAwait(false);
        response = await AnswerUnknownCallsAsync(preparedMessages, preparedOptions, response, cancellationToken).ConfigureAwait(false);
        RecordTokens(turn, response.Usage); // the loop's usage: every model call of this request
        foreach (var message in response.Messages)
        {
            await _approvals.RegisterAsync(message.Contents, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turn = _turns.Current;
        if (turn is null)
        {
            Log.RequestOutsideTurn(_logger);
        }
        else
        {
            ThrowIfTokensUsedUp();
        }

        var (preparedMessages, preparedOptions, withheld) = turn is null
            ? (messages, WithoutTools(options), null)
            : await PrepareAsync(messages, options, turn, cancellationToken).ConfigureAwait(false);

        await foreach (var update in StreamAsync(preparedMessages, preparedOptions, withheld, turn, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    // Budgets: a person whose token budget is used up gets no model call; the host sees AccessDeniedException and its reason.
    private void ThrowIfTokensUsedUp()
    {
        if (_budgets?.CheckModelCall() is { IsAllowed: false } refusal)
        {
            throw new AccessDeniedException("model.call", null, refusal);
        }
    }

    private void RecordTokens(TurnContext turn, UsageDetails? usage)
    {
        if (_budgets is not null && usage is not null)
        {
            var tokens = usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));
            if (tokens > 0)
            {
                _budgets.RecordTokens(turn, tokens);
            }
        }
    }

    private static ChatOptions? WithoutTools(ChatOptions? options)
    {
        if (options is not { Tools.Count: > 0 })
        {
            return options;
        }

        var stripped = options.Clone();
        stripped.Tools = null;
        stripped.ToolMode = null;
        return stripped;
    }

    // Streams the loop's updates; when a reply calls a name the loop does not know, streams the answers to those calls
    // (see AnswerUnknownCallsAsync) and goes on.
    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, List<AITool>? withheld, TurnContext? turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatMessage>? conversation = null;
        var request = messages;
        for (var round = 0; ; round++)
        {
            var received = new List<ChatResponseUpdate>();
            var updates = base.GetStreamingResponseAsync(request, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (updates.ConfigureAwait(false))
            {
                while (true)
                {
                    // An async iterator's flow-local changes last one step: set them again before each step of the loop inside.
                    FlowToolList.Current = withheld;
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    received.Add(updates.Current);
                    if (turn is not null)
                    {
                        await _approvals.RegisterAsync(updates.Current.Contents, cancellationToken).ConfigureAwait(false);
                        foreach (var content in updates.Current.Contents)
                        {
                            if (content is UsageContent usage)
                            {
                                RecordTokens(turn, usage.Details);
                            }
                        }
                    }

                    yield return updates.Current;
                }
            }

            var latest = received.ToChatResponse().Messages;
            if (round + 1 >= _loop.MaximumIterationsPerRequest || UnknownCallAnswers.Unanswered(latest, options?.Tools, _loop.AdditionalTools) is not { } calls)
            {
                yield break;
            }

            var answers = await _unknown.AnswerAsync(calls, options?.Tools, _loop.AdditionalTools, cancellationToken).ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Tool, answers.Contents) { MessageId = Guid.NewGuid().ToString("N") };
            conversation ??= [.. messages];
            conversation.AddRange(latest);
            conversation.Add(answers);
            request = conversation;
        }
    }

    private async ValueTask<(IEnumerable<ChatMessage> Messages, ChatOptions Options, List<AITool>? Withheld)> PrepareAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, TurnContext turn, CancellationToken cancellationToken)
    {
        var prepared = options?.Clone() ?? new ChatOptions();
        List<AITool>? withheld = null;
        if (prepared.Tools is { Count: > 0 } tools)
        {
            (prepared.Tools, withheld) = await _offer.DecideAsync(tools, cancellationToken).ConfigureAwait(false);
            if (prepared.Tools.Count == 0)
            {
                prepared.Tools = null;
                prepared.ToolMode = null;
            }
        }

        var block = await _gate.RenderIdentityBlockAsync(cancellationToken).ConfigureAwait(false);
        prepared.Instructions = string.IsNullOrEmpty(prepared.Instructions) ? block : prepared.Instructions + "\n\n" + block;
        return (await _approvals.AnswerAsync(messages, cancellationToken).ConfigureAwait(false), prepared, withheld);
    }

    // The loop hands back replies that call a name it does not know; answer those calls through the gate and go on,
    // as the loop itself would, for at most its own iteration limit.
    private async Task<ChatResponse> AnswerUnknownCallsAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        List<ChatMessage>? conversation = null;
        var latest = response.Messages;
        for (var round = 0; round < _loop.MaximumIterationsPerRequest; round++)
        {
            if (UnknownCallAnswers.Unanswered(latest, options?.Tools, _loop.AdditionalTools) is not { } calls)
            {
                break;
            }

            var answers = await _unknown.AnswerAsync(calls, options?.Tools, _loop.AdditionalTools, cancellationToken).ConfigureAwait(false);
            conversation ??= [.. messages];
            conversation.AddRange(latest);
            conversation.Add(answers);
            response.Messages.Add(answers);
            var next = await base.GetResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false);
            latest = next.Messages;
            foreach (var message in latest)
            {
                response.Messages.Add(message);
            }

            response.ResponseId = next.ResponseId;
            response.FinishReason = next.FinishReason;
            if (next.Usage is { } usage)
            {
                (response.Usage ??= new UsageDetails()).Add(usage);
            }
        }

        return response;
    }
}
