using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.Pairing;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>pair list|approve|deny|revoke</c>: the pairing of strangers (docs/pairing.md), as the operator.</summary>
internal static class PairCommand
{
    public static Command Create()
    {
        var command = new Command("pair", "Pairing of unknown senders (unknown_senders: pair): list the codes waiting and the paired accounts, approve, deny, revoke. Acts as the operator (--as).");

        var platformFilter = new Option<string?>("--platform") { Description = "Only this platform's pending codes.", HelpName = "PLATFORM" };
        var list = new Command("list", "The codes waiting for an answer and the accounts paired so far.");
        list.Options.Add(platformFilter);
        CommandRunner.Set(list, (parse, context, ct) => ListAsync(context, parse.GetValue(platformFilter), ct));
        command.Subcommands.Add(list);

        var platform = new Argument<string>("PLATFORM") { Description = "The platform the code was given on (telegram)." };
        var code = new Argument<string>("CODE") { Description = "The pairing code the stranger was given." };
        var role = new Option<string>("--role") { Description = "The role to give: guest (default) or a role pairing may grant.", DefaultValueFactory = _ => BuiltInRoles.Guest, HelpName = "ROLE" };
        var profile = new Option<string>("--profile") { Description = "The new profile's key ([a-z0-9][a-z0-9_-]*), or an existing profile to link the account to.", Required = true, HelpName = "KEY" };
        var approve = new Command("approve", "Let the stranger in: a new profile with the role, or a link to an existing profile.");
        approve.Arguments.Add(platform);
        approve.Arguments.Add(code);
        approve.Options.Add(role);
        approve.Options.Add(profile);
        CommandRunner.Set(approve, (parse, context, ct) => ApproveAsync(context, parse.GetValue(platform)!, parse.GetValue(code)!, parse.GetValue(role)!, parse.GetValue(profile)!, ct));
        command.Subcommands.Add(approve);

        var denyPlatform = new Argument<string>("PLATFORM") { Description = "The platform the code was given on." };
        var denyCode = new Argument<string>("CODE") { Description = "The pairing code to refuse." };
        var deny = new Command("deny", "Refuse a pairing code.");
        deny.Arguments.Add(denyPlatform);
        deny.Arguments.Add(denyCode);
        CommandRunner.Set(deny, (parse, context, ct) => DenyAsync(context, parse.GetValue(denyPlatform)!, parse.GetValue(denyCode)!, ct));
        command.Subcommands.Add(deny);

        var target = new Argument<string>("PROFILE-OR-ACCOUNT") { Description = "A paired profile's key (every account it was paired with) or one account, PLATFORM:ID." };
        var revoke = new Command("revoke", "Take back what pairing gave: a paired profile, or one account.");
        revoke.Arguments.Add(target);
        CommandRunner.Set(revoke, (parse, context, ct) => RevokeAsync(context, parse.GetValue(target)!, ct));
        command.Subcommands.Add(revoke);
        return command;
    }

    private static async Task<int> ListAsync(CliContext context, string? platform, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var (pending, paired) = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
        {
            var pairings = turn.Service<Pairings>();
            var p = await pairings.ListPendingAsync(platform, cancellationToken).ConfigureAwait(false);
            var a = await pairings.ListPairedAsync(cancellationToken).ConfigureAwait(false);
            return (p, a);
        }, cancellationToken).ConfigureAwait(false);

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["pending"] = new JsonArray([.. pending.Select(r => (JsonNode)Pending(r))]),
                ["paired"] = new JsonArray([.. paired.Select(a => (JsonNode)Paired(a))]),
            });
            return ExitCodes.Ok;
        }

        context.Line($"Pending codes: {pending.Count}");
        if (pending.Count > 0)
        {
            var table = new TextTable("platform", "code", "account", "name", "requested", "expires");
            foreach (var r in pending)
            {
                table.Add(r.Platform, r.Code, r.Account, r.DisplayName ?? string.Empty, Times.Format(r.RequestedAt), Times.Format(r.ExpiresAt));
            }

            table.WriteTo(context.Out);
        }

        context.Line($"Paired accounts: {paired.Count}");
        if (paired.Count > 0)
        {
            var table = new TextTable("account", "profile", "role", "how", "approved by", "at");
            foreach (var a in paired)
            {
                table.Add(a.Account, a.ProfileKey, a.Role ?? string.Empty, a.IsLink ? "link" : "pairing", a.ApprovedBy, Times.Format(a.PairedAt));
            }

            table.WriteTo(context.Out);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ApproveAsync(CliContext context, string platform, string code, string role, string profile, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var linking = data.Snapshot.Profiles.ContainsKey(profile);
        var paired = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
        {
            var pairings = turn.Service<Pairings>();
            return linking
                ? await pairings.ApproveLinkAsync(platform, code, profile, cancellationToken).ConfigureAwait(false)
                : await pairings.ApproveAsync(platform, code, role, profile, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(Paired(paired));
        }
        else
        {
            context.Line(paired.IsLink
                ? $"{paired.Account} is now linked to profile {paired.ProfileKey}."
                : $"{paired.Account} is paired as profile {paired.ProfileKey}, role {paired.Role}.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> DenyAsync(CliContext context, string platform, string code, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var request = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<Pairings>().DenyAsync(platform, code, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(Pending(request));
        }
        else
        {
            context.Line($"The code of {request.Platform}:{request.Account} is refused.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> RevokeAsync(CliContext context, string target, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var colon = target.IndexOf(':', StringComparison.Ordinal);
        var removed = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
        {
            var pairings = turn.Service<Pairings>();
            return colon > 0
                ? await pairings.RevokeAccountAsync(target[..colon], target[(colon + 1)..], cancellationToken).ConfigureAwait(false)
                : await pairings.RevokeAsync(target, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["target"] = target, ["revoked"] = removed });
        }
        else
        {
            context.Line(removed == 0 ? $"Nothing paired for {target}: nothing revoked." : $"Revoked {removed} paired account(s) of {target}.");
        }

        return removed == 0 ? ExitCodes.NotFound : ExitCodes.Ok;
    }

    private static JsonObject Pending(PairingRequest r) => new()
    {
        ["platform"] = r.Platform,
        ["code"] = r.Code,
        ["account"] = r.Account,
        ["display_name"] = r.DisplayName,
        ["requested_at"] = Times.Format(r.RequestedAt),
        ["expires_at"] = Times.Format(r.ExpiresAt),
    };

    private static JsonObject Paired(PairedAccount a) => new()
    {
        ["account"] = a.Account,
        ["profile"] = a.ProfileKey,
        ["role"] = a.Role,
        ["link"] = a.IsLink,
        ["approved_by"] = a.ApprovedBy,
        ["paired_at"] = Times.Format(a.PairedAt),
    };
}
