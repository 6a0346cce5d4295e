using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>approvals list|approve|deny</c>: calls waiting for an approval (docs/approvals.md), as the operator.</summary>
internal static class ApprovalsCommand
{
    public static Command Create()
    {
        var command = new Command("approvals", "Calls that wait for an approval: list them, approve or deny one. Acts as the operator (--as), who needs approval.grant.");
        var list = new Command("list", "The requests waiting for an answer that the operator may answer.");
        CommandRunner.Set(list, (_, context, ct) => ListAsync(context, ct));
        command.Subcommands.Add(list);
        command.Subcommands.Add(Answer("approve", "Approve a request: the call runs once, when its person's agent asks again.", approve: true));
        command.Subcommands.Add(Answer("deny", "Deny a request.", approve: false));
        return command;
    }

    private static Command Answer(string name, string description, bool approve)
    {
        var id = new Argument<string>("ID") { Description = "The request's id (from approvals list)." };
        var command = new Command(name, description);
        command.Arguments.Add(id);
        CommandRunner.Set(command, (parse, context, ct) => AnswerAsync(context, parse.GetValue(id)!, approve, ct));
        return command;
    }

    private static async Task<int> ListAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var pending = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<Hermes.Identity.Approvals.Approvals>().ListPendingAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["pending"] = new JsonArray([.. pending.Select(r => (JsonNode)ToJson(r))]) });
            return ExitCodes.Ok;
        }

        context.Line($"Requests waiting: {pending.Count}");
        if (pending.Count > 0)
        {
            var table = new TextTable("id", "profile", "action", "resource", "requested", "expires");
            foreach (var r in pending)
            {
                table.Add(r.Id, r.ProfileKey, r.Action, r.Resource ?? string.Empty, Times.Format(r.RequestedAt), Times.Format(r.ExpiresAt));
            }

            table.WriteTo(context.Out);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> AnswerAsync(CliContext context, string id, bool approve, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var (decision, request) = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
        {
            var approvals = turn.Service<Hermes.Identity.Approvals.Approvals>();
            var answer = approve
                ? await approvals.ApproveAsync(id, cancellationToken).ConfigureAwait(false)
                : await approvals.DenyAsync(id, cancellationToken).ConfigureAwait(false);
            var after = answer.IsAllowed ? await approvals.GetAsync(id, cancellationToken).ConfigureAwait(false) : null;
            return (answer, after);
        }, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["id"] = id,
                ["answered"] = decision.IsAllowed,
                ["reason"] = decision.Reason,
                ["request"] = request is null ? null : ToJson(request),
            });
        }
        else
        {
            context.Line(decision.IsAllowed ? $"Request {id} {(approve ? "approved" : "denied")}." : $"Request {id} not answered: {decision.Reason}");
        }

        return decision.IsAllowed ? ExitCodes.Ok : ExitCodes.Problems;
    }

    internal static JsonObject ToJson(ApprovalRequest r) => new()
    {
        ["id"] = r.Id,
        ["profile"] = r.ProfileKey,
        ["action"] = r.Action,
        ["resource"] = r.Resource,
        ["state"] = r.State.ToString().ToLowerInvariant(),
        ["requested_at"] = Times.Format(r.RequestedAt),
        ["expires_at"] = Times.Format(r.ExpiresAt),
        ["answered_by"] = r.AnsweredBy,
        ["answered_at"] = Times.Format(r.AnsweredAt),
    };
}
