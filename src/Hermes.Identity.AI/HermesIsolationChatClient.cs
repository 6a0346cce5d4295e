using System.Runtime.CompilerServices;
using Hermes.Identity.AI.Approvals;
using Hermes.Identity.AI.Internal;
using Hermes.Identity.AI.Tools;
using Hermes.Identity.Policy;
using Hermes.Identity.Prompt;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Hermes.Identity.AI;

// Per request within a turn: offers only the tools the policy shows this profile, adds the identity block
// (and memory) to the instructions, screens approval responses, and answers calls to names the loop does not
// know through the policy; and, once, makes the function-invocation loop inside it ask the gate before every
// function it runs.
internal sealed class HermesIsolationChatClient : DelegatingChatClient
{
    private readonly PolicyEngine _policy;
    private readonly IdentityPrompt _prompt;
    private readonly ICurrentProfile _current;
    private readonly ToolApprovals _approvals;
    private readonly ToolCallGate _gate;
    private readonly ILogger _logger;
    private readonly FunctionInvokingChatClient _loop;
    private readonly UnknownCallAnswers _unknown;

    public HermesIsolationChatClient(IChatClient innerClient, PolicyEngine policy, IdentityPrompt prompt, ICurrentProfile current, ToolApprovals approvals, ILogger logger)
        : base(innerClient)
    {
        _policy = policy;
        _prompt = prompt;
        _current = current;
        _approvals = approvals;
        _logger = logger;
        _gate = new ToolCallGate(policy, current, logger);

        var loop = innerClient.GetService<FunctionInvokingChatClient>() ?? throw new InvalidOperationException(
            "UseHermesIsolation() found no function-invocation loop inside it, so it could not gate tool calls. Put it before " +
            "UseFunctionInvocation() in the builder: new ChatClientBuilder(model).UseHermesIsolation().UseFunctionInvocation().Build(services). " +
            "A loop outside it would run tools without asking the policy.");
        _loop = loop;
        _unknown = new UnknownCallAnswers(_gate);

        // A name the loop has never heard of comes back to this client, which asks the policy (see UnknownCallAnswers).
        loop.TerminateOnUnknownCalls = true;
        var next = loop.FunctionInvoker;
        loop.FunctionInvoker = (context, ct) => _gate.InvokeFromLoopAsync(context, next, ct);
        loop.AdditionalTools = new FlowToolList(loop.AdditionalTools);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!_current.IsInTurn)
        {
            Log.RequestOutsideTurn(_logger);
            var stripped = WithoutTools(options);
            var reply = await base.GetResponseAsync(messages, stripped, cancellationToken).ConfigureAwait(false);
            return await AnswerUnknownCallsAsync(messages, stripped, reply, cancellationToken).ConfigureAwait(false);
        }

        var turn = _current.Turn;
        var (preparedMessages, preparedOptions, withheld) = await PrepareAsync(messages, options, turn, cancellationToken).ConfigureAwait(false);
        FlowToolList.Current = withheld; // this async method's own flow: restored when it returns
        var response = await base.GetResponseAsync(preparedMessages, preparedOptions, cancellationToken).ConfigureAwait(false);
        response = await AnswerUnknownCallsAsync(preparedMessages, preparedOptions, response, cancellationToken).ConfigureAwait(false);
        foreach (var message in response.Messages)
        {
            await RegisterApprovalRequestsAsync(message.Contents, turn, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!_current.IsInTurn)
        {
            Log.RequestOutsideTurn(_logger);
            await foreach (var update in StreamAsync(messages, WithoutTools(options), null, null, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var turn = _current.Turn;
        var (preparedMessages, preparedOptions, withheld) = await PrepareAsync(messages, options, turn, cancellationToken).ConfigureAwait(false);
        await foreach (var update in StreamAsync(preparedMessages, preparedOptions, withheld, turn, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    // Streams the loop's updates; when a reply calls a name the loop does not know, streams the policy's answers
    // (see AnswerUnknownCallsAsync) and goes on.
    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, List<AITool>? withheld, TurnContext? turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatMessage>? conversation = null;
        IEnumerable<ChatMessage> request = messages;
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
                        await RegisterApprovalRequestsAsync(updates.Current.Contents, turn, cancellationToken).ConfigureAwait(false);
                    }

                    yield return updates.Current;
                }
            }

            var latest = received.ToChatResponse().Messages;
            if (round + 1 >= _loop.MaximumIterationsPerRequest || UnknownCallAnswers.Unanswered(latest, () => Known(options)) is not { } calls)
            {
                yield break;
            }

            var answers = await _unknown.AnswerAsync(calls, Known(options), cancellationToken).ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Tool, answers.Contents) { MessageId = Guid.NewGuid().ToString("N") };
            conversation ??= [.. messages];
            conversation.AddRange(latest);
            conversation.Add(answers);
            request = conversation;
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ToolApprovals) ? _approvals : base.GetService(serviceType, serviceKey);
    }

    private async ValueTask<(IEnumerable<ChatMessage> Messages, ChatOptions Options, List<AITool>? Withheld)> PrepareAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, TurnContext turn, CancellationToken cancellationToken)
    {
        var prepared = options?.Clone() ?? new ChatOptions();
        List<AITool>? withheld = null;
        if (prepared.Tools is { Count: > 0 } tools)
        {
            (prepared.Tools, withheld) = await OfferAsync(tools, cancellationToken).ConfigureAwait(false);
            if (prepared.Tools.Count == 0)
            {
                prepared.Tools = null;
                prepared.ToolMode = null;
            }
        }

        var block = await _prompt.RenderAsync(cancellationToken).ConfigureAwait(false);
        prepared.Instructions = string.IsNullOrEmpty(prepared.Instructions) ? block : prepared.Instructions + "\n\n" + block;
        return (ScreenApprovalResponses(messages, turn), prepared, withheld);
    }

    // The same engine decides what is offered and what may run (invariant 4): one PreviewToolCallAsync per tool
    // (decided like a call, recorded nowhere, so offers do not fill the audit file),
    // and a tool is offered when the answer is not Deny, which is PolicyEngine.GetVisibleToolsAsync's own rule
    // (a test pins that the two agree for every role). One pass also tells which offered tools need approval.
    private async ValueTask<(List<AITool> Offered, List<AITool>? Withheld)> OfferAsync(IList<AITool> tools, CancellationToken cancellationToken)
    {
        var offered = new List<AITool>(tools.Count);
        List<AITool>? withheld = null;
        foreach (var tool in tools)
        {
            var decision = await _policy.PreviewToolCallAsync(tool.Name, cancellationToken).ConfigureAwait(false);
            if (tool is not AIFunction function)
            {
                if (decision.Effect != PolicyEffect.Deny)
                {
                    offered.Add(tool);
                }

                continue;
            }

            var gated = new PolicyGatedFunction(function, _gate);
            if (decision.Effect == PolicyEffect.Deny)
            {
                (withheld ??= []).Add(gated);
            }
            else if (decision.Effect == PolicyEffect.RequireApproval || function.GetService<ApprovalRequiredAIFunction>() is not null)
            {
                offered.Add(new ApprovalRequiredAIFunction(gated));
            }
            else
            {
                offered.Add(gated);
            }
        }

        return (offered, withheld);
    }

    // Approving responses the ledger does not accept become rejections, so the loop never runs them.
    private IEnumerable<ChatMessage> ScreenApprovalResponses(IEnumerable<ChatMessage> messages, TurnContext turn)
    {
        // Read the caller's sequence once, whatever it is.
        var all = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        List<ChatMessage>? screened = null;
        var index = 0;
        foreach (var message in all)
        {
            List<AIContent>? contents = null;
            for (var i = 0; i < message.Contents.Count; i++)
            {
                if (message.Contents[i] is ToolApprovalResponseContent { Approved: true } response
                    && !_approvals.TryAccept(response, turn, out var reason))
                {
                    Log.ApprovalResponseRefused(_logger, response.RequestId, reason);
                    contents ??= [.. message.Contents];
                    contents[i] = new ToolApprovalResponseContent(response.RequestId, false, response.ToolCall) { Reason = reason };
                }
            }

            if (contents is not null)
            {
                screened ??= [.. all.Take(index)];
                var copy = message.Clone();
                copy.Contents = contents;
                screened.Add(copy);
            }
            else
            {
                screened?.Add(message);
            }

            index++;
        }

        return screened ?? all;
    }

    private async ValueTask RegisterApprovalRequestsAsync(IList<AIContent> contents, TurnContext turn, CancellationToken cancellationToken)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is ToolApprovalRequestContent request)
            {
                await _approvals.RegisterAsync(request, turn, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The loop hands back replies that call a name it does not know; answer those calls through the policy and go on,
    // as the loop itself would, for at most its own iteration limit.
    private async Task<ChatResponse> AnswerUnknownCallsAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
    {
        List<ChatMessage>? conversation = null;
        var latest = response.Messages;
        for (var round = 0; round < _loop.MaximumIterationsPerRequest; round++)
        {
            if (UnknownCallAnswers.Unanswered(latest, () => Known(options)) is not { } calls)
            {
                break;
            }

            var answers = await _unknown.AnswerAsync(calls, Known(options), cancellationToken).ConfigureAwait(false);
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

    // Every tool the loop can find for this request: the offered ones, the host's AdditionalTools and the withheld ones.
    private IEnumerable<AITool> Known(ChatOptions? options) => (options?.Tools ?? []).Concat(_loop.AdditionalTools ?? []);

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
}
