using System.Diagnostics;
using Hermes.Identity.Approvals;
using Hermes.Identity.Audit;
using Hermes.Identity.Budgets;
using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Delegations;
using Hermes.Identity.Turns;

namespace Hermes.Identity.Policy;

/// <summary>
/// The one place policy decisions are made. Takes the profile from the current turn, re-reads its role
/// from the configuration in force, asks every backend (all must allow), and denies when there is no
/// turn, no profile, no backend, or a backend fails or runs past <see cref="PolicyOptions.BackendTimeout"/>.
/// Every decision is logged, counted and, when configured, appended to the audit file.
/// </summary>
public sealed class PolicyEngine
{
    private const string NoTurnReason = "No turn is in progress, so there is nobody to act for.";

    private readonly RbacPolicyBackend? _rbac;
    private readonly IPolicyBackend[] _others;
    private readonly ICurrentProfile _current;
    private readonly IIdentitySnapshotProvider _snapshots;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly DecisionLog _log;
    private readonly ApprovalBook? _approvals;
    private readonly GrantBook? _grants;
    private readonly BudgetLedger? _budgets;

    internal PolicyEngine(IEnumerable<IPolicyBackend> backends, ICurrentProfile current, IIdentitySnapshotProvider snapshots, TimeProvider time, PolicyOptions options, DecisionLog log, ApprovalBook? approvals = null, GrantBook? grants = null, BudgetLedger? budgets = null)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var all = backends.ToArray();
        _rbac = all.OfType<RbacPolicyBackend>().FirstOrDefault();
        _others = [.. all.Where(b => b is not RbacPolicyBackend)];
        _current = current;
        _snapshots = snapshots;
        _time = time;
        _timeout = options.BackendTimeout;
        _log = log;
        _approvals = approvals;
        _grants = grants;
        _budgets = budgets;
    }

    [Flags]
    private enum Mode
    {
        Quiet = 0,
        Record = 1,
        ConsumeApprovals = 2,
        Enforce = Record | ConsumeApprovals,
    }

    /// <summary>Decides whether the current turn's profile may do <paramref name="action"/> on <paramref name="resource"/>. Deny outside a turn.</summary>
    public ValueTask<PolicyDecision> AuthorizeAsync(string action, string? resource = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        return CurrentTurn() is { } turn
            ? Decide(Call.ForTurn(turn, action, resource, null, null), Mode.Enforce, null, cancellationToken)
            : NoTurn(action, resource, Mode.Enforce, null, cancellationToken);
    }

    /// <summary>
    /// Decides whether the current turn's profile may call tool <paramref name="toolName"/>: the action is
    /// <c>tool.&lt;category&gt;</c> from the <c>tools:</c> map (a tool not listed reaches only a rule that
    /// allows every tool), the resource is the tool's name. Pass the call id and the arguments digest
    /// (SHA-256, hex) so that an approval can be bound to this very call.
    /// </summary>
    public ValueTask<PolicyDecision> AuthorizeToolCallAsync(string toolName, string? toolCallId = null, string? argumentsDigest = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        return CurrentTurn() is { } turn
            ? Decide(Call.ForTurn(turn, null, toolName, toolCallId, argumentsDigest), Mode.Enforce, null, cancellationToken)
            : NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Enforce, null, cancellationToken);
    }

    /// <summary>
    /// Decides a call to <paramref name="toolName"/> as <see cref="AuthorizeToolCallAsync"/> would, but records
    /// nothing and uses up no approval: for deciding what to offer the model, including which tools need an
    /// approval (<see cref="PolicyEffect.RequireApproval"/>). Never use it to let a call run.
    /// </summary>
    internal ValueTask<PolicyDecision> PreviewToolCallAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        return CurrentTurn() is { } turn
            ? Decide(Call.ForTurn(turn, null, toolName, null, null), Mode.Quiet, null, cancellationToken)
            : NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Quiet, null, cancellationToken);
    }

    /// <summary>
    /// The tools, of <paramref name="toolNames"/>, that the current turn's profile may call (including those
    /// that need an approval): computed by the same rules as each call, so offer the model exactly these.
    /// </summary>
    internal async ValueTask<IReadOnlyList<string>> GetVisibleToolsAsync(IEnumerable<string> toolNames, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(toolNames);
        var visible = new List<string>();
        if (CurrentTurn() is not { } turn)
        {
            return visible;
        }

        foreach (var name in toolNames)
        {
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var decision = await Decide(Call.ForTurn(turn, null, name, null, null), Mode.Quiet, null, cancellationToken).ConfigureAwait(false);
            if (decision.Effect != PolicyEffect.Deny)
            {
                visible.Add(name);
            }
        }

        return visible;
    }

    internal ValueTask<PolicyDecision> EvaluateAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Decide(Call.ForRequest(request), Mode.Enforce, null, cancellationToken);
    }

    /// <summary>
    /// Explains how <paramref name="action"/> on <paramref name="resource"/> by <paramref name="subject"/> (any profile
    /// of the configuration, in a turn or not: for an operator's "why") is decided, step by step: the subject, the
    /// tool's category, every matching rule, each backend's answer, and the result, including the default deny.
    /// For a tool, pass <c>tool.&lt;category&gt;</c> and the tool's name, or use <see cref="ExplainToolCallAsync"/>.
    /// Records nothing and uses up no approval.
    /// </summary>
    public ValueTask<PolicyExplanation> ExplainAsync(AgentProfile subject, string action, string? resource = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(action);
        return ExplainAsync(new PolicyRequest(subject, action, resource) { Time = _time.GetUtcNow() }, cancellationToken);
    }

    internal async ValueTask<PolicyExplanation> ExplainAsync(PolicyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var trail = new List<string>();
        var decision = await Decide(Call.ForRequest(request), Mode.Quiet, trail, cancellationToken).ConfigureAwait(false);
        return new PolicyExplanation(decision, trail);
    }

    /// <summary>Explains how a call to <paramref name="toolName"/> by the current turn's profile is decided. See <see cref="ExplainAsync(AgentProfile, string, string?, CancellationToken)"/>.</summary>
    public async ValueTask<PolicyExplanation> ExplainToolCallAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        var trail = new List<string>();
        var decision = CurrentTurn() is { } turn
            ? await Decide(Call.ForTurn(turn, null, toolName, null, null), Mode.Quiet, trail, cancellationToken).ConfigureAwait(false)
            : await NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Quiet, trail, cancellationToken).ConfigureAwait(false);
        return new PolicyExplanation(decision, trail);
    }

    /// <summary>
    /// Explains, for an operator outside any turn, how <paramref name="action"/> on <paramref name="resource"/> by
    /// <paramref name="subject"/> is decided for a message in a chat of kind <paramref name="chatKind"/> (rules with a
    /// <c>when: { chat: ... }</c> condition hold or not accordingly), as sent by the person themself. Records nothing.
    /// </summary>
    public ValueTask<PolicyExplanation> ExplainInChatAsync(AgentProfile subject, string action, string? resource, ChatKind chatKind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(action);
        return ExplainForOperatorAsync(subject, action, resource, chatKind, cancellationToken);
    }

    /// <summary>
    /// Explains, for an operator outside any turn, how a call to tool <paramref name="toolName"/> by
    /// <paramref name="subject"/> in a chat of kind <paramref name="chatKind"/> is decided: the tool's category from the
    /// <c>tools:</c> map in force, every matching rule, each backend's answer. Records nothing and uses up no approval.
    /// </summary>
    public ValueTask<PolicyExplanation> ExplainToolCallInChatAsync(AgentProfile subject, string toolName, ChatKind chatKind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        return ExplainForOperatorAsync(subject, null, toolName, chatKind, cancellationToken);
    }

    private async ValueTask<PolicyExplanation> ExplainForOperatorAsync(AgentProfile subject, string? action, string? resource, ChatKind chatKind, CancellationToken cancellationToken = default)
    {
        // The person themself writing in that kind of chat: a person, not a bot, on one of their own accounts.
        var sender = subject.Principals.Count > 0
            ? new SenderEnvelope(subject.Principals[0].Platform, subject.Principals[0].UserId, chatId: null, chatKind)
            : new SenderEnvelope("operator", subject.Key, chatId: null, chatKind);
        var trail = new List<string>();
        var call = new Call(subject, action, resource, null, null, null, null, sender, _time.GetUtcNow(), null);
        var decision = await Decide(call, Mode.Quiet, trail, cancellationToken).ConfigureAwait(false);
        return new PolicyExplanation(decision, trail);
    }

    // A quiet decision on a plain action for the turn in progress: for Approvals and Grants, to decide what a profile may see.
    internal ValueTask<PolicyDecision> PreviewAsync(string action, string? resource, CancellationToken cancellationToken)
    {
        return CurrentTurn() is { } turn
            ? Decide(Call.ForTurn(turn, action, resource, null, null), Mode.Quiet, null, cancellationToken)
            : NoTurn(action, resource, Mode.Quiet, null, cancellationToken);
    }

    private TurnContext? CurrentTurn()
    {
        if (_current is CurrentTurnAccessor)
        {
            return CurrentTurnAccessor.Peek(); // one AsyncLocal read instead of two
        }

        try
        {
            return _current.IsInTurn ? _current.Turn : null;
        }
        catch (NoActiveTurnException)
        {
            return null; // the turn ended between the two reads
        }
    }

    private ValueTask<PolicyDecision> NoTurn(string action, string? resource, Mode mode, List<string>? trail, CancellationToken cancellationToken)
    {
        var decision = Failure(NoTurnReason, "no current turn", null);
        trail?.Add(NoTurnReason);
        return Finish(new Call(null, action, resource, null, null, null, null, null, null, null), null, decision, mode, null, trail, cancellationToken);
    }

    private ValueTask<PolicyDecision> Decide(Call call, Mode mode, List<string>? trail, CancellationToken cancellationToken)
    {
        IdentitySnapshot snapshot;
        try
        {
            snapshot = _snapshots.Current;
        }
        catch (IdentityConfigException ex)
        {
            return Finish(call with { Action = call.Action ?? PolicyActions.ToolPrefix + "?" }, null, Failure("No valid identities configuration is loaded, so nothing is allowed.", ex.Message, null), mode, null, trail, cancellationToken);
        }

        var table = snapshot.RoleTable;
        ToolSlot? tool = null;
        var byName = call.Action is null;
        string action;
        if (byName)
        {
            // A tool call by name: its action comes from this snapshot's tools: map.
            table.TryGetTool(call.Resource!, out tool);
            action = tool?.Action ?? RoleTable.UnlistedToolAction;
            call = call with { Action = action };
        }
        else
        {
            action = call.Action!;
        }

        var activity = (mode & Mode.Record) != 0 ? DecisionActivity.Start(action) : null;
        if (!TryGetRules(call, table, out var rules, out var problem))
        {
            trail?.Add(problem);
            return Finish(call, null, Failure(problem, problem, snapshot.Revision), mode, activity, trail, cancellationToken);
        }

        if (trail is not null)
        {
            DecisionTrail.Describe(trail, snapshot, call.Subject!, call.Sender, call.Action!, call.Resource, rules);
        }

        PolicyDecision? first = null;
        // The built-in roles are asked directly, not through IPolicyBackend.EvaluateAsync like the backends you add:
        // they decide from the rules this snapshot compiled for the subject (already looked up above) and the tool's
        // slot, without building a PolicyRequest, and their answer for a (rules, tool) pair is made once and reused,
        // which keeps the allow path at 0 bytes. Their answer is composed with the others exactly as any backend's is:
        // a deny ends it, and every other backend must allow too. Through the interface (RbacPolicyBackend.EvaluateAsync,
        // used when the engine is bypassed) they decide the same: RbacThroughInterfaceTests pins it.
        if (_rbac is not null)
        {
            first = byName
                ? _rbac.DecideToolCall(snapshot, rules, tool, call.Resource!)
                : _rbac.Decide(snapshot, rules, action, call.Resource);
            trail?.Add($"Built-in roles: {first.Effect}: {first.Reason}");
            if (first.Effect != PolicyEffect.Allow && _grants is not null && _grants.MayCover(call.Subject!, _time))
            {
                // Between messages: a grant limited in time and uses may stand in for the roles' answer.
                return DecideWithGrantAsync(call, snapshot, rules, first, byName, mode, activity, trail, cancellationToken);
            }

            if (_others.Length == 0 || first.Effect == PolicyEffect.Deny)
            {
                return Conclude(call, snapshot, rules, first, mode, activity, trail, cancellationToken);
            }
        }
        else if (_others.Length == 0)
        {
            const string none = "No policy backend is registered, so nothing is allowed.";
            trail?.Add(none);
            return Finish(call, rules, Failure(none, none, snapshot.Revision), mode, activity, trail, cancellationToken);
        }

        return ComposeAsync(call, snapshot, rules, first, mode, activity, trail, cancellationToken);
    }

    // The rules of the call's subject under this table. A turn keeps the rules its profile had under the table it last
    // decided with, so a decision looks the profile up (a lookup in every configured profile) only once per turn and
    // snapshot: the rules are a function of the table and the profile, and the turn's profile never changes.
    private static bool TryGetRules(in Call call, RoleTable table, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoleRules? rules, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        // Without a directory the table in force is the one the rules are bound to; with one, each directory version is a
        // view of that table, and the turn keeps which view its rules came from, so a directory change is looked up again.
        switch (call.Turn?.Rules)
        {
            case RoleRules kept when ReferenceEquals(kept.Table, table):
                rules = kept;
                problem = null;
                return true;
            case TurnRules kept when ReferenceEquals(kept.Table, table):
                rules = kept.Rules;
                problem = null;
                return true;
        }

        if (call.Subject is null)
        {
            rules = null;
            problem = NoTurnReason;
            return false;
        }

        // The rules in force in the sender's kind of chat, capped at guest's for an automated sender the identity does not
        // accept; none of that changes during a turn (its sender is fixed), so the turn keeps them like the rest.
        if (!table.TryGetRules(call.Subject, call.Sender, out rules, out problem))
        {
            return false;
        }

        if (call.Turn is { } turn)
        {
            turn.Rules = ReferenceEquals(rules.Table, table) ? rules : new TurnRules(rules, table);
        }

        return true;
    }

    private async ValueTask<PolicyDecision> ComposeAsync(Call call, IdentitySnapshot snapshot, RoleRules rules, PolicyDecision? first, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        try
        {
            return await AskEveryBackendAsync(call, snapshot, rules, first, mode, activity, trail, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up: nothing was decided, but the decision's activity must still end.
            activity?.Dispose();
            throw;
        }
    }

    private async ValueTask<PolicyDecision> AskEveryBackendAsync(Call call, IdentitySnapshot snapshot, RoleRules rules, PolicyDecision? first, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        var request = RequestFor(call, snapshot, _time);
        var decisions = new List<PolicyDecision>(_others.Length + 1);
        if (first is not null)
        {
            decisions.Add(first);
        }

        foreach (var backend in _others)
        {
            var decision = await PolicyBackendCall.AskAsync(backend, request, snapshot.Revision, _timeout, _time, cancellationToken).ConfigureAwait(false);
            trail?.Add($"{backend.GetType().Name}: {decision.Effect}: {decision.Reason}{(decision.Errors.Count > 0 ? " Errors: " + string.Join("; ", decision.Errors) : string.Empty)}");
            if (decision.Effect == PolicyEffect.Deny)
            {
                trail?.Add(decisions.Count + 1 < _others.Length + (first is null ? 0 : 1) ? "The remaining backends were not asked: one deny decides." : "Every backend was asked.");
                return await Conclude(call, snapshot, rules, decision, mode, activity, trail, cancellationToken).ConfigureAwait(false);
            }

            decisions.Add(decision);
        }

        // Every backend allowed; if any asked for an approval, the call waits for one.
        var lead = decisions.Find(d => d.Effect == PolicyEffect.RequireApproval) ?? decisions[0];
        var combined = decisions.Count == 1
            ? lead
            : new PolicyDecision(lead.Effect, lead.Reason, [.. decisions.SelectMany(d => d.RuleIds)], snapshot.Revision);
        return await Conclude(call, snapshot, rules, combined, mode, activity, trail, cancellationToken).ConfigureAwait(false);
    }

    // The roles did not allow, and the subject may hold a grant: one that covers the action stands in for their answer
    // (still composed with every other backend), and is used up in Conclude only if the call is then allowed.
    private async ValueTask<PolicyDecision> DecideWithGrantAsync(Call call, IdentitySnapshot snapshot, RoleRules rules, PolicyDecision first, bool byName, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        GrantUse? grant;
        try
        {
            grant = await _grants!.FindAsync(call.Subject!, call.Action!, call.Resource, byName, rules, first, snapshot, trail, cancellationToken).ConfigureAwait(false);
        }
        catch (State.StateStoreException ex)
        {
            trail?.Add($"Grants could not be read: {ex.Message}");
            grant = null; // fail closed: the roles' answer stands
        }
        catch (OperationCanceledException)
        {
            activity?.Dispose();
            throw;
        }

        if (grant is not null)
        {
            call = call with { Grant = grant };
            first = grant.Decision;
        }

        if (_others.Length == 0 || first.Effect == PolicyEffect.Deny)
        {
            return await Conclude(call, snapshot, rules, first, mode, activity, trail, cancellationToken).ConfigureAwait(false);
        }

        return await ComposeAsync(call, snapshot, rules, first, mode, activity, trail, cancellationToken).ConfigureAwait(false);
    }

    // The last step of a decided call: what spans messages (a grant to use up, an approval request to ask, find or use
    // up) may change the answer before it is recorded. The allow path of the roles alone never comes here async.
    private ValueTask<PolicyDecision> Conclude(Call call, IdentitySnapshot snapshot, RoleRules rules, PolicyDecision decision, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        // A turn begun from a delegation: the delegator's decision, and only within the delegation's actions; nothing in
        // it waits for an approval (nobody is there to be asked), so it is bounded before any approval is asked or used.
        if (call.Turn?.Delegation is { } delegation)
        {
            decision = DelegationBounds.Apply(delegation, call.Action!, decision, trail);
        }

        var settle = decision.Effect switch
        {
            PolicyEffect.Allow => call.Grant is not null && (mode & Mode.ConsumeApprovals) != 0,
            PolicyEffect.RequireApproval => IsBindable(call, mode),
            _ => false,
        };
        return settle
            ? ConcludeAsync(call, snapshot, rules, decision, mode, activity, trail, cancellationToken)
            : Finish(call, rules, decision, mode, activity, trail, cancellationToken);
    }

    private async ValueTask<PolicyDecision> ConcludeAsync(Call call, IdentitySnapshot snapshot, RoleRules rules, PolicyDecision decision, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        try
        {
            if (decision.Effect == PolicyEffect.Allow && call.Grant is { } grant)
            {
                decision = await _grants!.TryUseAsync(grant, snapshot, cancellationToken).ConfigureAwait(false);
                trail?.Add($"Grant {grant.Id}: {decision.Effect}: {decision.Reason}");
            }

            if (decision.Effect == PolicyEffect.RequireApproval && IsBindable(call, mode))
            {
                var approvals = _approvals ?? throw new InvalidOperationException(ApprovalBook.MissingStore);
                decision = await approvals.ResolveAsync(call.Subject!, call.Sender!, call.Action!, call.Resource, call.ToolCallId!, call.ArgumentsDigest!, decision, snapshot, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (State.StateStoreException ex)
        {
            decision = Failure($"The identity state store failed, so the call is refused: {ex.Message}", ex.Message, snapshot.Revision);
        }
        catch (Exception)
        {
            activity?.Dispose();
            throw;
        }

        return await Finish(call, rules, decision, mode, activity, trail, cancellationToken).ConfigureAwait(false);
    }

    // An approval is bound to a call asked in a turn (a conversation), with a tool call id and an arguments digest.
    private static bool IsBindable(in Call call, Mode mode) =>
        (mode & Mode.ConsumeApprovals) != 0 && call.Subject is not null && call.Sender is not null && call.ToolCallId is not null && call.ArgumentsDigest is not null;

    private ValueTask<PolicyDecision> Finish(in Call call, RoleRules? rules, PolicyDecision decision, Mode mode, Activity? activity, List<string>? trail, CancellationToken cancellationToken)
    {
        // Budgets: an allowed tool call in a turn is counted, or refused when it would go past a budget (enforce mode only:
        // previews, explanations and the tools offered count nothing).
        if (_budgets is not null && decision.Effect == PolicyEffect.Allow && (mode & Mode.ConsumeApprovals) != 0
            && call.Turn is { } turn && rules?.Table is { } table && call.Action!.StartsWith(PolicyActions.ToolPrefix, StringComparison.Ordinal))
        {
            decision = _budgets.ChargeToolCall(turn, table, call.Action, decision);
        }

        trail?.Add($"Decision: {decision.Effect}: {decision.Reason}");
        var role = rules?.Role ?? call.Subject?.Role;
        if ((mode & Mode.Record) != 0 && _log.IsRecording(decision))
        {
            var entry = new DecisionEntry(call.Time ?? (_log.NeedsTime ? _time.GetUtcNow() : default), call.Subject?.Key, role, call.Sender, call.Action!, call.Resource, decision, call.TurnId, call.ToolCallId, call.ArgumentsDigest, call.Turn?.Delegation);
            _log.Record(entry);
            if (_log.HasSinks)
            {
                // The audit sinks are awaited: the decision is returned only once it is written (IDecisionAuditSink).
                ValueTask written;
                try
                {
                    written = _log.WriteAsync(entry, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    written = ValueTask.FromException(ex);
                }

                if (!written.IsCompletedSuccessfully)
                {
                    return AuditedAsync(written, entry, role, activity, cancellationToken);
                }
            }
        }

        Close(activity, decision, role);
        return new(decision);
    }

    // A sink that completes later (a database): the decision waits for it; a sink that failed refuses the call.
    private async ValueTask<PolicyDecision> AuditedAsync(ValueTask written, DecisionEntry entry, string? role, Activity? activity, CancellationToken cancellationToken)
    {
        var decision = entry.Decision;
        try
        {
            await written.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            activity?.Dispose();
            throw;
        }
        catch (Exception ex)
        {
            decision = _log.AuditFailed(entry, ex);
        }

        Close(activity, decision, role);
        return decision;
    }

    private static void Close(Activity? activity, PolicyDecision decision, string? role)
    {
        if (activity is not null)
        {
            activity.SetTag("hermes.effect", DecisionAuditFile.EffectName(decision.Effect));
            activity.SetTag("hermes.role", role);
            activity.SetTag("hermes.revision", decision.Revision);
            activity.Dispose();
        }
    }

    private static PolicyDecision Failure(string reason, string error, string? revision) => PolicyBackendCall.Failure(reason, error, revision);

    // The request a plugged-in backend sees: the subject as the configuration in force has it.
    private static PolicyRequest RequestFor(Call call, IdentitySnapshot snapshot, TimeProvider time)
    {
        var subject = call.Subject!;
        if (!subject.IsGuest && snapshot.Profiles.TryGetValue(subject.Key, out var current))
        {
            subject = current;
        }

        if (call.Request is { } given && ReferenceEquals(given.Subject, subject) && given.Revision == snapshot.Revision)
        {
            return given;
        }

        return new PolicyRequest(subject, call.Action!, call.Resource)
        {
            Sender = call.Sender,
            Revision = snapshot.Revision,
            TurnId = call.TurnId,
            ToolCallId = call.ToolCallId,
            ArgumentsDigest = call.ArgumentsDigest,
            Time = call.Time ?? time.GetUtcNow(),
            Attributes = call.Request?.Attributes ?? new Dictionary<string, object?>(),
        };
    }

    // Everything a decision needs about one question. Action is null for a tool call by name until the
    // snapshot's tools: map gives it.
    private readonly record struct Call(
        AgentProfile? Subject,
        string? Action,
        string? Resource,
        TurnContext? Turn,
        string? GivenTurnId,
        string? ToolCallId,
        string? ArgumentsDigest,
        SenderEnvelope? Sender,
        DateTimeOffset? Time,
        PolicyRequest? Request)
    {
        // A grant that may stand in for the roles' answer, found for this call; used up only if the call is allowed.
        public GrantUse? Grant { get; init; }

        // The turn id, like the time, is made only when something needs it (a backend's request, an approval, the
        // decision log): the allow path does not, and a turn's id is made on first use.
        public string? TurnId => GivenTurnId ?? Turn?.TurnId;

        public static Call ForTurn(TurnContext turn, string? action, string? resource, string? toolCallId, string? argumentsDigest) =>
            new(turn.Profile, action, resource, turn, null, toolCallId, argumentsDigest, turn.Sender, null, null);

        public static Call ForRequest(PolicyRequest request) =>
            new(request.Subject, request.Action, request.Resource, null, request.TurnId, request.ToolCallId, request.ArgumentsDigest, request.Sender, request.Time, request);
    }
}
