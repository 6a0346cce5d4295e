using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>whois PLATFORM:ID</c>: whose account it is, their role, their other accounts and what they may do.</summary>
internal static class WhoisCommand
{
    public static Command Create()
    {
        var account = new Argument<string>("PLATFORM:ID") { Description = "An account, as the platform gives it: telegram:732113076." };
        var command = new Command("whois", "Show the profile an account belongs to: role, linked accounts and the effective rights table (direct and group chats).");
        command.Arguments.Add(account);
        CommandRunner.Set(command, (parse, context, ct) => RunAsync(context, parse.GetValue(account)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string account, CancellationToken cancellationToken)
    {
        var colon = account.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == account.Length - 1)
        {
            throw new CliException(ExitCodes.Usage, $"'{account}' is not PLATFORM:ID (for example telegram:732113076).");
        }

        var platform = account[..colon];
        var userId = account[(colon + 1)..];
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var snapshot = data.Snapshot;
        if (!snapshot.TryGetProfile(platform, userId, out var profile))
        {
            var fate = snapshot.UnknownSenders switch
            {
                UnknownSenderPolicy.Guest => "admitted as an isolated guest",
                UnknownSenderPolicy.Pair => "offered a pairing code the owner approves",
                _ => "refused",
            };
            throw new CliException(ExitCodes.NotFound, $"No profile has the account {platform}:{userId}. Such a sender is {fate} (unknown_senders: {snapshot.UnknownSenders.ToString().ToLowerInvariant()}).");
        }

        var policy = data.Get<PolicyEngine>();
        var categories = PolicyWords.BuiltInToolCategories.Concat(snapshot.Tools.Values).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var rows = new List<(string Action, string[] Tools, PolicyEffect Direct, PolicyEffect Group)>();
        foreach (var action in PolicyWords.Actions.Concat(categories.Select(c => "tool." + c)))
        {
            var direct = await policy.ExplainInChatAsync(profile, action, null, ChatKind.Direct, cancellationToken).ConfigureAwait(false);
            var group = await policy.ExplainInChatAsync(profile, action, null, ChatKind.Group, cancellationToken).ConfigureAwait(false);
            var tools = action.StartsWith("tool.", StringComparison.Ordinal)
                ? snapshot.Tools.Where(t => "tool." + t.Value == action).Select(t => t.Key).Order(StringComparer.Ordinal).ToArray()
                : [];
            rows.Add((action, tools, direct.Decision.Effect, group.Decision.Effect));
        }

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["account"] = $"{platform}:{userId}",
                ["profile"] = profile.Key,
                ["display_name"] = profile.DisplayName,
                ["role"] = profile.Role,
                ["guest"] = profile.IsGuest,
                ["accounts"] = new JsonArray([.. profile.Accounts.Select(a => (JsonNode)a)]),
                ["revision"] = snapshot.Revision,
                ["rights"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
                {
                    ["action"] = r.Action,
                    ["tools"] = new JsonArray([.. r.Tools.Select(t => (JsonNode)t)]),
                    ["direct"] = PolicyWords.Effect(r.Direct),
                    ["group"] = PolicyWords.Effect(r.Group),
                })]),
            });
            return ExitCodes.Ok;
        }

        context.Line($"{platform}:{userId} is {profile.DisplayName} (profile {profile.Key}), role {profile.Role}{(profile.IsGuest ? ", a guest" : string.Empty)}.");
        context.Line("Accounts: " + string.Join(", ", profile.Accounts));
        context.Line($"Rights under revision {snapshot.Revision} (approval: allowed once the owner approves each call):");
        var table = new TextTable("action", "direct", "group", "tools");
        foreach (var row in rows)
        {
            table.Add(row.Action, PolicyWords.Effect(row.Direct), PolicyWords.Effect(row.Group), string.Join(", ", row.Tools));
        }

        table.WriteTo(context.Out);
        return ExitCodes.Ok;
    }
}
