using Hermes.Identity.Mcp.Callers;
using Hermes.Identity.Mcp.Tools;
using Hermes.Identity.Tools;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Hermes.Identity.Mcp.Internal;

// The adapter itself: the list-tools and call-tool filters (installed first, so every other filter of the host runs
// inside them) and the gate of the wrapped tools. Each request is mapped to its caller and handled inside a turn of the
// caller's, with the turn's scope as the request's services; a caller that maps to nobody, or that the configuration
// does not admit, gets no tools and runs none. Each call is decided once by the core's ToolGate: by the wrapped tool
// when the request names one of the server's tools, else by the call filter (a name no tool has, a host's own handler).
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
    }

    public McpRequestFilter<ListToolsRequestParams, ListToolsResult> ListToolsFilter { get; }

    public McpRequestFilter<CallToolRequestParams, CallToolResult> CallToolFilter { get; }

    // The name the gate decides: the tool's wire name, qualified by the server's name when one is set.
    internal string DecidedName(string toolName) => _qualifier is null ? toolName : string.Concat(_qualifier, toolName);

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

    private async ValueTask<ListToolsResult> ListAsync(RequestContext<ListToolsRequestParams> request, McpRequestHandler<ListToolsRequestParams, ListToolsResult> next, CancellationToken cancellationToken)
    {
        var caller = Caller(request, RequestMethods.ToolsList);
        if (caller is null)
        {
            return new ListToolsResult();
        }

        ListToolsResult? listed = null;
        var refusal = await RunAsCallerAsync(caller, RequestMethods.ToolsList, async turn =>
        {
            request.Services = turn.Services;
            var all = await next(request, cancellationToken).ConfigureAwait(false);
            var kept = new List<Tool>(all.Tools.Count);
            foreach (var tool in all.Tools)
            {
                if (await _gate.GetVisibilityAsync(DecidedName(tool.Name), cancellationToken).ConfigureAwait(false) != ToolVisibility.Hidden)
                {
                    kept.Add(tool);
                }
            }

            all.Tools = kept;
            listed = all;
        }, cancellationToken).ConfigureAwait(false);
        return refusal is null && listed is not null ? listed : new ListToolsResult();
    }

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
