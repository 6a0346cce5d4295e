using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Approvals;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>grants list|issue|revoke</c>: rights limited in time and uses (docs/approvals.md), as the operator.</summary>
internal static class GrantsCommand
{
    public static Command Create()
    {
        var command = new Command("grants", "Grants limited in time and uses: list, issue, revoke. Acts as the operator (--as), who needs approval.grant.");

        var of = new Option<string?>("--profile") { Description = "Only this profile's grants.", HelpName = "KEY" };
        var list = new Command("list", "The grants in force.");
        list.Options.Add(of);
        CommandRunner.Set(list, (parse, context, ct) => ListAsync(context, parse.GetValue(of), ct));
        command.Subcommands.Add(list);

        var profile = new Argument<string>("PROFILE") { Description = "Who gets the grant." };
        var pattern = new Argument<string>("ACTION") { Description = "An action or pattern (tool.exec, tool.web.*)." };
        var uses = new Option<int>("--uses") { Description = "How many calls it covers (default 1).", DefaultValueFactory = _ => 1, HelpName = "N" };
        var lifetime = new Option<string>("--for") { Description = "How long it lasts: 90s, 30m, 2h, 7d (default 1h).", DefaultValueFactory = _ => "1h", HelpName = "DURATION" };
        var issue = new Command("issue", "Give a profile a right for a number of uses and a time.");
        issue.Arguments.Add(profile);
        issue.Arguments.Add(pattern);
        issue.Options.Add(uses);
        issue.Options.Add(lifetime);
        CommandRunner.Set(issue, (parse, context, ct) => IssueAsync(context, parse.GetValue(profile)!, parse.GetValue(pattern)!, parse.GetValue(uses), Times.ParseDuration(parse.GetValue(lifetime)!), ct));
        command.Subcommands.Add(issue);

        var id = new Argument<string>("ID") { Description = "The grant's id (from grants list)." };
        var revoke = new Command("revoke", "End a grant now.");
        revoke.Arguments.Add(id);
        CommandRunner.Set(revoke, (parse, context, ct) => RevokeAsync(context, parse.GetValue(id)!, ct));
        command.Subcommands.Add(revoke);
        return command;
    }

    private static async Task<int> ListAsync(CliContext context, string? profile, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var grants = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<Grants>().ListAsync(profile, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["grants"] = new JsonArray([.. grants.Select(g => (JsonNode)ToJson(g))]) });
            return ExitCodes.Ok;
        }

        context.Line($"Grants in force: {grants.Count}");
        if (grants.Count > 0)
        {
            var table = new TextTable("id", "profile", "action", "uses left", "expires", "issued by");
            foreach (var g in grants)
            {
                table.Add(g.Id, g.ProfileKey, g.ActionPattern, $"{g.UsesLeft}/{g.Uses}", Times.Format(g.ExpiresAt), g.IssuedBy);
            }

            table.WriteTo(context.Out);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> IssueAsync(CliContext context, string profile, string pattern, int uses, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var grant = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<Grants>().IssueAsync(profile, pattern, uses, lifetime, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(ToJson(grant));
        }
        else
        {
            context.Line($"Grant {grant.Id}: {grant.ProfileKey} may {grant.ActionPattern} {grant.Uses} time(s) until {Times.Format(grant.ExpiresAt)}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> RevokeAsync(CliContext context, string id, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var revoked = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<Grants>().RevokeAsync(id, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["id"] = id, ["revoked"] = revoked });
        }
        else
        {
            context.Line(revoked ? $"Grant {id} revoked." : $"No grant {id} in force.");
        }

        return revoked ? ExitCodes.Ok : ExitCodes.NotFound;
    }

    private static JsonObject ToJson(Grant g) => new()
    {
        ["id"] = g.Id,
        ["profile"] = g.ProfileKey,
        ["action"] = g.ActionPattern,
        ["uses"] = g.Uses,
        ["uses_left"] = g.UsesLeft,
        ["issued_at"] = Times.Format(g.IssuedAt),
        ["expires_at"] = Times.Format(g.ExpiresAt),
        ["issued_by"] = g.IssuedBy,
    };
}
