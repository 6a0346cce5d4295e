using Hermes.Identity.Mcp.Callers;
using Hermes.Identity.Mcp.Prompts;
using Hermes.Identity.Mcp.Resources;
using Hermes.Identity.Mcp.Tools;
using Hermes.Identity.Tools;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Internal;

// The adapter itself: the list-tools and call-tool filters (installed first, so every other filter of the host runs
// inside them) and the gate of the wrapped tools. Each request is mapped to its caller and handled inside a turn of the
// caller's, with the turn's scope as the request's services; a caller that maps to nobody, or that the configuration
// does not admit, gets no tools and runs none. Each call is decided once by the core's ToolGate: by the wrapped tool
// when the request names one of the server's tools, else by the call filter (a name no tool has, a host's own handler).
// Resources and prompts are gated the same way, under the names "resource:<name>" and "prompt:<name>" (qualified by the
// server's name like a tool), except that MCP has no way to ask for an approval there: only what the policy allows
// outright is listed and served, and a refusal is a protocol error (McpProtocolException, InvalidParams).
internal sealed class McpIsolation
{
    // A client that carries the model's own call id (an agent host forwarding it) may pass it here, so that each model
    // call is its own approval; without it the call id is "mcp:<tool>" and an approval binds to the tool and arguments.
    internal const string CallIdMetaKey = "hermes.identity/call_id";
    private const int MaxCallIdLength = 256;

    private readonly ToolGate _gate;
    private readonly ITurnScopeFactory _turns;
    private readonly Func<MessageContext, SenderEnvelope?>? _mapping;
    private readonly string? _qualifier;
    private readonly ILogger _logger;

    public McpIsolation(ToolGate gate, ITurnScopeFactory turns, Func<MessageContext, SenderEnvelope?>? mapping, string? serverName, ILogger logger)
    {
        _gate = gate;
        _turns = turns;
        _mapping = mapping;
        _qualifier = serverName is null ? null : serverName + ".";
        _logger = logger;
        ListToolsFilter = next => (request, ct) => ListAsync(request, next, ct);
        CallToolFilter = next => (request, ct) => CallAsync(request, next, ct);
        ListResourcesFilter = next => (request, ct) => ListAsCallerAsync(request, next, RequestMethods.ResourcesList, async (all, c) =>
            all.Resources = await OfferedAsync(all.Resources, r => ResourceName(r.Name), c).ConfigureAwait(false), ct);
        ListResourceTemplatesFilter = next => (request, ct) => ListAsCallerAsync(request, next, RequestMethods.ResourcesTemplatesList, async (all, c) =>
            all.ResourceTemplates = await OfferedAsync(all.ResourceTemplates, r => ResourceName(r.Name), c).ConfigureAwait(false), ct);
        ReadResourceFilter = next => (request, ct) => ServeAsCallerAsync(
            request, next, RequestMethods.ResourcesRead, ResourceKind, ResourceNameOf(request), request.MatchedPrimitive is GatedMcpServerResource, UriArgument(request.Params), ct);
        ListPromptsFilter = next => (request, ct) => ListAsCallerAsync(request, next, RequestMethods.PromptsList, async (all, c) =>
            all.Prompts = await OfferedAsync(all.Prompts, p => PromptName(p.Name), c).ConfigureAwait(false), ct);
        GetPromptFilter = next => (request, ct) => ServeAsCallerAsync(
            request, next, RequestMethods.PromptsGet, PromptKind, PromptName(request.Params?.Name ?? string.Empty), request.MatchedPrimitive is GatedMcpServerPrompt, PromptArguments(request.Params), ct);
    }

    private const string ResourceKind = "resource";
    private const string PromptKind = "prompt";

    public McpRequestFilter<ListToolsRequestParams, ListToolsResult> ListToolsFilter { get; }

    public McpRequestFilter<CallToolRequestParams, CallToolResult> CallToolFilter { get; }

    public McpRequestFilter<ListResourcesRequestParams, ListResourcesResult> ListResourcesFilter { get; }

    public McpRequestFilter<ListResourceTemplatesRequestParams, ListResourceTemplatesResult> ListResourceTemplatesFilter { get; }

    public McpRequestFilter<ReadResourceRequestParams, ReadResourceResult> ReadResourceFilter { get; }

    public McpRequestFilter<ListPromptsRequestParams, ListPromptsResult> ListPromptsFilter { get; }

    public McpRequestFilter<GetPromptRequestParams, GetPromptResult> GetPromptFilter { get; }

    // The name the gate decides: the tool's wire name, qualified by the server's name when one is set.
    internal string DecidedName(string toolName) => _qualifier is null ? toolName : string.Concat(_qualifier, toolName);

    // A resource (or resource template) is decided as "resource:<its name>", a prompt as "prompt:<its name>", qualified
    // like a tool: a ':' never occurs in an MCP tool name, so neither can ever be taken for a tool.
    internal string ResourceName(string name) => DecidedName("resource:" + name);

    internal string PromptName(string name) => DecidedName("prompt:" + name);

    // The resource a read names: the server's own resource (or template) it matched, by name; else its URI, for a
    // resource the host's own handler serves.
    private string ResourceNameOf(RequestContext<ReadResourceRequestParams> request) =>
        request.MatchedPrimitive is McpServerResource resource ? ResourceName(resource.ProtocolResourceTemplate.Name) : ResourceName(request.Params?.Uri ?? string.Empty);

    public async ValueTask<ReadResourceResult> ReadGatedAsync(GatedMcpServerResource resource, RequestContext<ReadResourceRequestParams> request, CancellationToken cancellationToken)
    {
        request.Services = await AllowAsync(ResourceKind, ResourceName(resource.ProtocolResourceTemplate.Name), UriArgument(request.Params), cancellationToken).ConfigureAwait(false);
        return await resource.ReadJudgedAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<GetPromptResult> GetGatedAsync(GatedMcpServerPrompt prompt, RequestContext<GetPromptRequestParams> request, CancellationToken cancellationToken)
    {
        request.Services = await AllowAsync(PromptKind, PromptName(prompt.ProtocolPrompt.Name), PromptArguments(request.Params), cancellationToken).ConfigureAwait(false);
        return await prompt.GetJudgedAsync(request, cancellationToken).ConfigureAwait(false);
    }

    // Decides one read of a resource or one get of a prompt for the turn in progress (none: refused). No call id is
    // given, so a category that needs an approval is refused without creating a request: MCP has no way to ask.
    private async ValueTask<IServiceProvider?> AllowAsync(string kind, string name, IEnumerable<KeyValuePair<string, object?>>? arguments, CancellationToken cancellationToken)
    {
        var verdict = await _gate.DecideCallAsync(name, null, arguments, null, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.PrimitiveRefused(_logger, kind, name, _gate.CurrentTurn?.Sender, verdict.Decision.Reason);
            throw Refusal(kind, name, verdict.Decision.Reason);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.PrimitiveAllowed(_logger, kind, name, _gate.CurrentTurn?.Sender);
        }

        return verdict.Services; // the caller's own IMemoryStore, IWorkspace, ISessionStore
    }

    // A list request of resources, resource templates or prompts: handled in the caller's turn, and only what the policy
    // allows outright is kept (what needs an approval cannot be asked for over MCP). Nobody gets an empty list.
    private async ValueTask<TResult> ListAsCallerAsync<TParams, TResult>(
        RequestContext<TParams> request, McpRequestHandler<TParams, TResult> next, string method, Func<TResult, CancellationToken, Task> keepOffered, CancellationToken cancellationToken)
        where TResult : new()
    {
        var caller = Caller(request, method);
        if (caller is null)
        {
            return new TResult();
        }

        TResult? listed = default;
        var refusal = await RunAsCallerAsync(caller, method, async turn =>
        {
            request.Services = turn.Services;
            var all = await next(request, cancellationToken).ConfigureAwait(false);
            await keepOffered(all, cancellationToken).ConfigureAwait(false);
            listed = all;
        }, cancellationToken).ConfigureAwait(false);
        return refusal is null && listed is not null ? listed : new TResult();
    }

    private async Task<IList<T>> OfferedAsync<T>(IList<T> items, Func<T, string> decidedName, CancellationToken cancellationToken)
    {
        var kept = new List<T>(items.Count);
        foreach (var item in items)
        {
            if (await _gate.GetVisibilityAsync(decidedName(item), cancellationToken).ConfigureAwait(false) == ToolVisibility.Offered)
            {
                kept.Add(item);
            }
        }

        return kept;
    }

    // A read of a resource or a get of a prompt: handled in the caller's turn. The server's own (wrapped) resources and
    // prompts decide themselves when invoked; anything else (the host's own handler) is decided here, once.
    private async ValueTask<TResult> ServeAsCallerAsync<TParams, TResult>(
        RequestContext<TParams> request, McpRequestHandler<TParams, TResult> next, string method, string kind, string name, bool decidedDownstream,
        IEnumerable<KeyValuePair<string, object?>>? arguments, CancellationToken cancellationToken)
    {
        var caller = Caller(request, method) ?? throw Refusal(kind, name,
            "This server does not know who is calling: the request carries no identity it trusts (no authenticated user it maps, no identity given to this connection).");
        TResult? result = default;
        var refusal = await RunAsCallerAsync(caller, method, async turn =>
        {
            request.Services = decidedDownstream ? turn.Services : await AllowAsync(kind, name, arguments, cancellationToken).ConfigureAwait(false);
            result = await next(request, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return refusal is null ? result! : throw Refusal(kind, name, refusal);
    }

    private static IEnumerable<KeyValuePair<string, object?>>? UriArgument(ReadResourceRequestParams? parameters) =>
        parameters?.Uri is { } uri ? [KeyValuePair.Create("uri", (object?)uri)] : null;

    private static IEnumerable<KeyValuePair<string, object?>>? PromptArguments(GetPromptRequestParams? parameters) =>
        parameters?.Arguments?.Select(static a => KeyValuePair.Create(a.Key, (object?)a.Value));

    // A refused read or get is a protocol error with the code MCP gives an unknown resource or prompt (InvalidParams),
    // so a client handles it as it handles one that does not exist; the message says why.
    private static McpProtocolException Refusal(string kind, string name, string reason) => new(
        kind is ResourceKind ? $"Refused: the resource '{name}' was not read. {reason}" : $"Refused: the prompt '{name}' was not given. {reason}",
        McpErrorCode.InvalidParams);

    public async ValueTask<CallToolResult> InvokeGatedAsync(GatedMcpServerTool tool, RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var name = DecidedName(tool.ProtocolTool.Name);
        var verdict = await DecideAsync(name, request.Params, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.ToolCallRefused(_logger, name, _gate.CurrentTurn?.Sender, verdict.Decision.Reason);
            return Refused(verdict.RefusalText!);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.ToolCallAllowed(_logger, name, _gate.CurrentTurn?.Sender);
        }

        request.Services = verdict.Services; // the caller's own IMemoryStore, IWorkspace, ISessionStore
        return await tool.RunJudgedAsync(request, cancellationToken).ConfigureAwait(false);
    }

    // The tools that need an approval are listed: a call can ask for one.
    private ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, McpRequestHandler<ListToolsRequestParams, ListToolsResult> next, CancellationToken cancellationToken) =>
        ListAsCallerAsync(request, next, RequestMethods.ToolsList, async (all, ct) =>
        {
            var kept = new List<Tool>(all.Tools.Count);
            foreach (var tool in all.Tools)
            {
                if (await _gate.GetVisibilityAsync(DecidedName(tool.Name), ct).ConfigureAwait(false) != ToolVisibility.Hidden)
                {
                    kept.Add(tool);
                }
            }

            all.Tools = kept;
        }, cancellationToken);

    private async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, CallToolResult> next, CancellationToken cancellationToken)
    {
        var toolName = request.Params?.Name;
        if (string.IsNullOrEmpty(toolName))
        {
            return Refused(ToolGate.Refusal("(none)", "The call names no tool."));
        }

        var name = DecidedName(toolName);
        var caller = Caller(request, RequestMethods.ToolsCall);
        if (caller is null)
        {
            return Refused(ToolGate.Refusal(name,
                "This server does not know who is calling: the request carries no identity it trusts (no authenticated user it maps, no identity given to this connection)."));
        }

        CallToolResult? result = null;
        var refusal = await RunAsCallerAsync(caller, RequestMethods.ToolsCall, async turn =>
        {
            result = await CallInTurnAsync(request, next, name, turn, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return refusal is null ? result! : Refused(ToolGate.Refusal(name, refusal));
    }

    private async Task<CallToolResult> CallInTurnAsync(
        RequestContext<CallToolRequestParams> request, McpRequestHandler<CallToolRequestParams, CallToolResult> next, string name, TurnScope turn, CancellationToken cancellationToken)
    {
        request.Services = turn.Services;
        if (request.MatchedPrimitive is GatedMcpServerTool)
        {
            // One of the server's own tools: it is decided by the tool itself when invoked, once.
            return await next(request, cancellationToken).ConfigureAwait(false);
        }

        // No wrapped tool has that name (a name the client made up, a tool added after the server started, the host's
        // own CallToolHandler): decided here, before anything downstream sees it.
        var verdict = await DecideAsync(name, request.Params, cancellationToken).ConfigureAwait(false);
        if (!verdict.MayRun)
        {
            Log.ToolCallRefused(_logger, name, turn.Context.Sender, verdict.Decision.Reason);
            return Refused(verdict.RefusalText!);
        }

        request.Services = verdict.Services;
        return await next(request, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<ToolCallVerdict> DecideAsync(string name, CallToolRequestParams? parameters, CancellationToken cancellationToken)
    {
        var arguments = parameters?.Arguments;
        return _gate.DecideCallAsync(
            name,
            CallId(parameters, name),
            arguments is null ? null : arguments.Select(static a => KeyValuePair.Create(a.Key, (object?)a.Value)),
            null,
            cancellationToken);
    }

    // See CallIdMetaKey. A client choosing its own id gains nothing: an approval is bound to the caller's profile and
    // conversation, the tool and the arguments as well, so a new id only ever asks for a new approval.
    private static string CallId(CallToolRequestParams? parameters, string name)
    {
        if (parameters?.Meta is { } meta
            && meta.TryGetPropertyValue(CallIdMetaKey, out var node)
            && node is System.Text.Json.Nodes.JsonValue value
            && value.TryGetValue<string>(out var id)
            && id.Length is > 0 and <= MaxCallIdLength
            && !id.Any(char.IsControl))
        {
            return id;
        }

        return "mcp:" + name;
    }

    private SenderEnvelope? Caller(MessageContext request, string method)
    {
        var caller = CallerTransport.Of(request.JsonRpcMessage);
        if (caller is null && _mapping is not null)
        {
            try
            {
                caller = _mapping(request);
            }
#pragma warning disable CA1031 // a mapping that fails must leave the caller nobody, never someone
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CallerMappingFailed(_logger, ex);
            }
        }

        if (caller is null)
        {
            Log.CallerUnknown(_logger, method);
        }

        return caller;
    }

    // Runs body in a turn of the caller's; returns null when it ran, else why no turn began. Exceptions of the body
    // itself are the request's and go on up.
    private async Task<string?> RunAsCallerAsync(SenderEnvelope caller, string method, Func<TurnScope, Task> body, CancellationToken cancellationToken)
    {
        if (_gate.CurrentTurn is { } ambient)
        {
            // The server's message loop was started inside a turn, which every request would then inherit.
            var reason = $"The MCP server received this request inside a turn already in progress ({ambient}); start the server outside any turn, so that each request runs in its own caller's turn.";
            Log.CallerRejected(_logger, method, caller, reason);
            return reason;
        }

        var started = false;
        IdentityResolution resolution;
        try
        {
            resolution = await _turns.RunTurnAsync(caller, turn =>
            {
                started = true;
                return body(turn);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AccessDeniedException denied) when (!started)
        {
            // A turn budget of the person is used up: no turn began.
            Log.CallerRejected(_logger, method, caller, denied.Decision.Reason);
            return denied.Decision.Reason;
        }

        if (!resolution.IsAdmitted)
        {
            var reason = resolution.RejectionReason ?? "The sender is not admitted.";
            Log.CallerRejected(_logger, method, caller, reason);
            return reason;
        }

        return null;
    }

    private static CallToolResult Refused(string text) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = text }],
    };
}
