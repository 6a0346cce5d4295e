using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.Policy;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>explain PROFILE ACTION-OR-TOOL [--chat KIND]</c>: the decision and every step that led to it.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var profile = new Argument<string>("PROFILE") { Description = "The profile key." };
        var what = new Argument<string>("ACTION-OR-TOOL") { Description = "An action with a dot (memory.write, tool.exec) or a tool name (terminal, web_search)." };
        var chat = new Option<string>("--chat")
        {
            Description = "The kind of chat the message would come from: direct (default), group, channel or thread.",
            DefaultValueFactory = _ => "direct",
            HelpName = "KIND",
        };
        chat.AcceptOnlyFromAmong("direct", "group", "channel", "thread");
        var resource = new Option<string?>("--resource") { Description = "The resource of an action (profile:mei, a path).", HelpName = "RESOURCE" };
        var command = new Command("explain", "Explain how the policy decides an action or a tool call for a profile: the decision and its trail. Records nothing.");
        command.Arguments.Add(profile);
        command.Arguments.Add(what);
        command.Options.Add(chat);
        command.Options.Add(resource);
        CommandRunner.Set(command, (parse, context, ct) => RunAsync(context, parse.GetValue(profile)!, parse.GetValue(what)!, PolicyWords.ParseChat(parse.GetValue(chat)!), parse.GetValue(resource), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string key, string what, ChatKind chat, string? resource, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        var subject = data.RequireProfile(key);
        var policy = data.Get<PolicyEngine>();
        var isAction = what.Contains('.', StringComparison.Ordinal);
        if (!isAction && resource is not null)
        {
            throw new CliException(ExitCodes.Usage, "--resource goes with an action (a name with a dot); a tool call's resource is the tool's name.");
        }

        var explanation = isAction
            ? await policy.ExplainInChatAsync(subject, what, resource, chat, cancellationToken).ConfigureAwait(false)
            : await policy.ExplainToolCallInChatAsync(subject, what, chat, cancellationToken).ConfigureAwait(false);
        var decision = explanation.Decision;
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["profile"] = subject.Key,
                [isAction ? "action" : "tool"] = what,
                ["chat"] = PolicyWords.Chat(chat),
                ["effect"] = PolicyWords.Effect(decision.Effect),
                ["reason"] = decision.Reason,
                ["rules"] = new JsonArray([.. decision.RuleIds.Select(r => (JsonNode)r)]),
                ["revision"] = decision.Revision,
                ["trail"] = new JsonArray([.. explanation.Steps.Select(s => (JsonNode)s)]),
            });
            return ExitCodes.Ok;
        }

        context.Line($"{subject.Key} {(isAction ? "action" : "tool")} {what} in a {PolicyWords.Chat(chat)} chat: {PolicyWords.Effect(decision.Effect)}");
        context.Line("Reason: " + decision.Reason);
        if (decision.RuleIds.Count > 0)
        {
            context.Line("Rules: " + string.Join(", ", decision.RuleIds));
        }

        context.Line("Trail:");
        for (var i = 0; i < explanation.Steps.Count; i++)
        {
            context.Line($"  {i + 1}. {explanation.Steps[i]}");
        }

        return ExitCodes.Ok;
    }
}
