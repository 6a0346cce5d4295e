using System.Diagnostics;
using Hermes.Identity.Audit;
using Hermes.Identity.Budgets;
using Hermes.Identity.Configuration.Roles;
using Hermes.Identity.Delegations;
using Hermes.Identity.Internal;
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
    private readonly ApprovalLedger _approvals;
    private readonly BudgetLedger? _budgets;

    internal PolicyEngine(IEnumerable<IPolicyBackend> backends, ICurrentProfile current, IIdentitySnapshotProvider snapshots, TimeProvider time, PolicyOptions options, DecisionLog log, BudgetLedger? budgets = null)
    {
        _budgets = budgets;
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
        _approvals = new ApprovalLedger(time, options.ApprovalLifetime);
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
            : new(NoTurn(action, resource, Mode.Enforce, null));
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
            : new(NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Enforce, null));
    }

    /// <summary>
    /// Decides a call to <paramref name="toolName"/> as <see cref="AuthorizeToolCallAsync"/> would, but records
    /// nothing and uses up no approval: for deciding what to offer the model, including which tools need an
    /// approval (<see cref="PolicyEffect.RequireApproval"/>). Never use it to let a call run.
    /// </summary>
    public ValueTask<PolicyDecision> PreviewToolCallAsync(string toolName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        return CurrentTurn() is { } turn
            ? Decide(Call.ForTurn(turn, null, toolName, null, null), Mode.Quiet, null, cancellationToken)
            : new(NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Quiet, null));
    }

    /// <summary>
    /// The tools, of <paramref name="toolNames"/>, that the current turn's profile may call (including those
    /// that need an approval): computed by the same rules as each call, so offer the model exactly these.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> GetVisibleToolsAsync(IEnumerable<string> toolNames, CancellationToken cancellationToken = default)
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
            : NoTurn(PolicyActions.ToolPrefix + "?", toolName, Mode.Quiet, trail);
        return new PolicyExplanation(decision, trail);
    }

    /// <summary>
    /// Approves a call that got <see cref="PolicyEffect.RequireApproval"/>, as the current turn's profile. Allowed only
    /// if that profile holds <c>approval.grant</c>. The approval is good once, for exactly the turn, tool call id and
    /// arguments digest of <paramref name="request"/>, within <see cref="PolicyOptions.ApprovalLifetime"/>: the
    /// requester's next <see cref="AuthorizeToolCallAsync"/> for that call is then allowed. A request whose call already
    /// ran on an approval, or that has expired (<see cref="ApprovalRequest.ExpiresAt"/>), is refused with a reason that
    /// says so: a call runs at most once per approval request, however often it is granted.
    /// </summary>
    /// <returns>The decision on <c>approval.grant</c>: allowed means the approval is recorded.</returns>
    public async ValueTask<PolicyDecision> GrantApprovalAsync(ApprovalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var approver = CurrentTurn()?.Profile.Key ?? "(nobody)";
        var decision = await AuthorizeAsync(PolicyActions.ApprovalGrant, request.ToString(), cancellationToken).ConfigureAwait(false);
        if (!decision.IsAllowed)
        {
            Log.ApprovalRefused(_log.Logger, approver, request, decision.Reason);
            return decision.Effect == PolicyEffect.Deny ? decision : PolicyDecision.Deny($"An approval cannot itself wait for an approval: {decision.Reason}", decision.Revision, decision.RuleIds);
        }

        var refusal = _approvals.Grant(request, approver) switch
        {
            ApprovalLedger.GrantOutcome.Granted => null,
            ApprovalLedger.GrantOutcome.AlreadyUsed =>
                "This approval request was already used: its call ran once on an approval, and granting it again does not let it run again. Another run needs a new request.",
            ApprovalLedger.GrantOutcome.Expired =>
                $"This approval request expired at {request.ExpiresAt.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture)} and can no longer be granted. The call must be asked for again.",
            _ => "Too many approvals are waiting to be used; try again once some have been used or have expired.",
        };
        if (refusal is not null)
        {
            Log.ApprovalRefused(_log.Logger, approver, request, refusal);
            return PolicyDecision.Deny(refusal, decision.Revision);
        }

        Log.ApprovalGranted(_log.Logger, approver, request);
        return decision;
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

    private PolicyDecision NoTurn(string action, string? resource, Mode mode, List<string>? trail)
    {
        var decision = Failure(NoTurnReason, "no current turn", null);
        trail?.Add(NoTurnReason);
        return Finish(new Call(null, action, resource, null, null, null, null, null, null, null), null, decision, mode, null, trail);
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
            return new(Finish(call with { Action = call.Action ?? PolicyActions.ToolPrefix + "?" }, null, Failure("No valid identities configuration is loaded, so nothing is allowed.", ex.Message, null), mode, null, trail));
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
            return new(Finish(call, null, Failure(problem, problem, snapshot.Revision), mode, activity, trail));
        }

        if (trail is not null)
        {
            DecisionTrail.Describe(trail, snapshot, call.Subject!, call.Action!, call.Resource, rules);
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
            if (_others.Length == 0 || first.Effect == PolicyEffect.Deny)
            {
                return new(Finish(call, rules, first, mode, activity, trail));
            }
        }
        else if (_others.Length == 0)
        {
            const string none = "No policy backend is registered, so nothing is allowed.";
            trail?.Add(none);
            return new(Finish(call, rules, Failure(none, none, snapshot.Revision), mode, activity, trail));
        }

        return ComposeAsync(call, snapshot, rules, first, mode, activity, trail, cancellationToken);
    }

    // The rules of the call's subject under this table. A turn keeps the rules its profile had under the table it last
    // decided with, so a decision looks the profile up (a lookup in every configured profile) only once per turn and
    // snapshot: the rules are a function of the table and the profile, and the turn's profile never changes.
    private static bool TryGetRules(in Call call, RoleTable table, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RoleRules? rules, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        rules = call.Turn?.Rules as RoleRules;
        if (rules is not null && ReferenceEquals(rules.Table, table))
        {
            problem = null;
            return true;
        }

        if (call.Subject is null)
        {
            rules = null;
            problem = NoTurnReason;
            return false;
        }

        if (!table.TryGetRules(call.Subject, out rules, out problem))
        {
            return false;
        }

        if (call.Turn is { } turn)
        {
            turn.Rules = rules;
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
                return Finish(call, rules, decision, mode, activity, trail);
            }

            decisions.Add(decision);
        }

        // Every backend allowed; if any asked for an approval, the call waits for one.
        var lead = decisions.Find(d => d.Effect == PolicyEffect.RequireApproval) ?? decisions[0];
        var combined = decisions.Count == 1
            ? lead
            : new PolicyDecision(lead.Effect, lead.Reason, [.. decisions.SelectMany(d => d.RuleIds)], snapshot.Revision);
        return Finish(call, rules, combined, mode, activity, trail);
    }

    private PolicyDecision Finish(in Call call, RoleRules? rules, PolicyDecision decision, Mode mode, Activity? activity, List<string>? trail)
    {
        // A turn begun from a delegation: the delegator's decision, and only within the delegation's actions.
        if (call.Turn?.Delegation is { } delegation)
        {
            decision = DelegationBounds.Apply(delegation, call.Action!, decision, trail);
        }

        if (decision.Effect == PolicyEffect.RequireApproval)
        {
            decision = WithApproval(call, decision, mode, trail);
        }

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
            _log.Record(new DecisionEntry(call.Time ?? (_log.NeedsTime ? _time.GetUtcNow() : default), call.Subject?.Key, role, call.Sender, call.Action!, call.Resource, decision, call.TurnId, call.ToolCallId, call.ArgumentsDigest, call.Turn?.Delegation));
        }

        if (activity is not null)
        {
            activity.SetTag("hermes.effect", DecisionAuditFile.EffectName(decision.Effect));
            activity.SetTag("hermes.role", role);
            activity.SetTag("hermes.revision", decision.Revision);
            activity.Dispose();
        }

        return decision;
    }

    private PolicyDecision WithApproval(in Call call, PolicyDecision decision, Mode mode, List<string>? trail)
    {
        if (call.Subject is null || call.TurnId is null || call.ToolCallId is null || call.ArgumentsDigest is null)
        {
            trail?.Add("The call has no turn, tool call id or arguments digest, so no approval can be bound to it.");
            return decision;
        }

        var pending = _approvals.Issue(call.Subject.Key, call.TurnId, call.ToolCallId, call.ArgumentsDigest, call.Action!, call.Resource);
        if ((mode & Mode.ConsumeApprovals) != 0 && !_approvals.IsEmpty && _approvals.TryConsume(pending.Key, out var approver))
        {
            return new PolicyDecision(PolicyEffect.Allow, $"{approver} approved this call. {decision.Reason}", [.. decision.RuleIds, "approval:" + approver], decision.Revision);
        }

        return new PolicyDecision(decision.Effect, decision.Reason, decision.RuleIds, decision.Revision) { Errors = decision.Errors, Approval = pending };
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
        // The turn id, like the time, is made only when something needs it (a backend's request, an approval, the
        // decision log): the allow path does not, and a turn's id is made on first use.
        public string? TurnId => GivenTurnId ?? Turn?.TurnId;

        public static Call ForTurn(TurnContext turn, string? action, string? resource, string? toolCallId, string? argumentsDigest) =>
            new(turn.Profile, action, resource, turn, null, toolCallId, argumentsDigest, turn.Sender, null, null);

        public static Call ForRequest(PolicyRequest request) =>
            new(request.Subject, request.Action, request.Resource, null, request.TurnId, request.ToolCallId, request.ArgumentsDigest, request.Sender, request.Time, request);
    }
}
