using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.PersonalData;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>erase PROFILE [--yes]</c>: deletes one person's sessions, memory and workspace, as the operator.</summary>
internal static class EraseCommand
{
    public static Command Create()
    {
        var profile = new Argument<string>("PROFILE") { Description = "Whose data." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask: erase at once (for scripts)." };
        var command = new Command("erase", "Erase one person's data (sessions, memory, workspace). Asks you to type the profile key unless --yes. Acts as the operator (--as), who needs profile.erase.");
        command.Arguments.Add(profile);
        command.Options.Add(yes);
        CommandRunner.Set(command, (parse, context, ct) => RunAsync(context, parse.GetValue(profile)!, parse.GetValue(yes), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string key, bool yes, CancellationToken cancellationToken)
    {
        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        data.RequireProfile(key);
        if (!yes)
        {
            context.Error.Write($"This deletes every session, memory file and workspace file of '{key}' under {context.Root}. Type the profile key to go on: ");
            var answer = context.In.ReadLine();
            if (Console.IsInputRedirected)
            {
                context.Error.WriteLine();
            }
            if (!string.Equals(answer?.Trim(), key, StringComparison.Ordinal))
            {
                throw new CliException(ExitCodes.Problems, "Not confirmed: nothing was erased.");
            }
        }

        var erased = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
            await turn.Service<ProfileData>().EraseAsync(key, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["profile"] = key,
                ["entries_deleted"] = erased.EntriesDeleted,
                ["session_database_erased"] = erased.SessionDatabaseErased,
            });
        }
        else
        {
            context.Line($"Erased {key}: {erased.EntriesDeleted} file(s) and folder(s) deleted{(erased.SessionDatabaseErased ? ", session database deleted" : string.Empty)}.");
            context.Line($"Remove {key} from identities.yaml too, or their next message starts a fresh profile.");
        }

        return ExitCodes.Ok;
    }
}
