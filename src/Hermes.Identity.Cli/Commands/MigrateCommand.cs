using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Migration;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>migrate hermes HOME --owner KEY</c> and <c>migrate identities FILE</c>: from Hermes Agent to a data root.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Bring a single-user Hermes Agent home, or the RFC fork's identities.yaml, into a Hermes.Identity data root.");
        command.Subcommands.Add(Hermes());
        command.Subcommands.Add(Identities());
        return command;
    }

    private static Command Hermes()
    {
        var home = new Argument<string>("HERMES_HOME") { Description = "The Hermes home (usually ~/.hermes): state.db, memories/, .env, platforms/pairing/." };
        var owner = new Option<string>("--owner") { Description = "The profile key of the home's owner: their memory and own conversations go there.", Required = true, HelpName = "KEY" };
        var ownerAccounts = new Option<string[]>("--owner-account") { Description = "The owner's own account, PLATFORM:ID (repeat for several). Needed for a new data root.", HelpName = "PLATFORM:ID", AllowMultipleArgumentsPerToken = false };
        var ownerName = new Option<string?>("--owner-name") { Description = "The owner's display name.", HelpName = "NAME" };
        var allowedRole = new Option<string>("--allowed-role") { Description = "The role of accounts from *_ALLOWED_USERS: guest (default) or trusted. Never owner.", DefaultValueFactory = _ => BuiltInRoles.Guest, HelpName = "ROLE" };
        allowedRole.AcceptOnlyFromAmong(BuiltInRoles.Guest, BuiltInRoles.Trusted);
        var pairedRole = new Option<string>("--paired-role") { Description = "The role of paired accounts (platforms/pairing): guest (default) or trusted. Never owner.", DefaultValueFactory = _ => BuiltInRoles.Guest, HelpName = "ROLE" };
        pairedRole.AcceptOnlyFromAmong(BuiltInRoles.Guest, BuiltInRoles.Trusted);
        var apply = new Option<bool>("--apply") { Description = "Write. Without it, a dry run: the report of what would be done, and nothing written." };
        var report = new Option<string?>("--report") { Description = "Also write the JSON report to this file (with --apply it is always kept under migrations/ in the data root).", HelpName = "FILE" };
        var command = new Command("hermes", "Migrate a Hermes home: memory to the owner's profile, conversations to each person's profile (timestamps, titles, chat kind, tool calls kept), allow-listed and paired users as guest or trusted identities. A dry run unless --apply; refuses while Hermes's gateway runs; never writes to the home.");
        command.Arguments.Add(home);
        command.Options.Add(owner);
        command.Options.Add(ownerAccounts);
        command.Options.Add(ownerName);
        command.Options.Add(allowedRole);
        command.Options.Add(pairedRole);
        command.Options.Add(apply);
        command.Options.Add(report);
        CommandRunner.Set(command, (parse, context, ct) =>
        {
            var options = new MigrationOptions(
                Path.GetFullPath(parse.GetValue(home)!),
                context.Root,
                parse.GetValue(owner)!,
                [.. (parse.GetValue(ownerAccounts) ?? []).Select(ParseAccount)],
                parse.GetValue(ownerName),
                parse.GetValue(allowedRole)!,
                parse.GetValue(pairedRole)!,
                parse.GetValue(apply));
            return RunAsync(context, options, parse.GetValue(report), ct);
        });
        return command;
    }

    private static Command Identities()
    {
        var file = new Argument<string>("FILE") { Description = "The fork's identities.yaml." };
        var owner = new Option<string?>("--owner") { Description = "The profile key of the one owner (other fork owners become trusted). Default: every fork owner stays owner.", HelpName = "KEY" };
        var output = new Option<string?>("--out") { Description = "Write the version-1 file here (new file). Default: print it.", HelpName = "FILE" };
        var command = new Command("identities", "Convert the Hermes RFC fork's identities.yaml (name, role owner|trusted|user|guest, platforms) to version 1, with a warning for each field that has no equivalent (notes, agent, cli_default, default_model).");
        command.Arguments.Add(file);
        command.Options.Add(owner);
        command.Options.Add(output);
        CommandRunner.Set(command, (parse, context, _) => Task.FromResult(Convert(context, parse.GetValue(file)!, parse.GetValue(owner), parse.GetValue(output))));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, MigrationOptions options, string? reportFile, CancellationToken cancellationToken)
    {
        if (!ProfileKey.IsValid(options.Owner))
        {
            throw new CliException(ExitCodes.Usage, $"'{options.Owner}' is not a profile key: [a-z0-9][a-z0-9_-]{{0,63}}.");
        }

        if (GatewayProbe.FindRunning(options.Home) is { } running)
        {
            throw new CliException(ExitCodes.Problems, $"Hermes's gateway is running on {options.Home} ({running}). Stop it (hermes gateway stop) and run the migration again: a home in use cannot be read consistently.");
        }

        context.Progress($"reading {options.Home}");
        var plan = MigrationPlan.Build(options);
        MigrationResult? result = null;
        if (options.Apply)
        {
            result = await MigrationRun.ApplyAsync(plan, context, cancellationToken).ConfigureAwait(false);
            var marker = MigrationRun.MarkerFor(plan);
            Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
            result.ReportFile = marker;
            await File.WriteAllTextAsync(marker, MigrationReport.ToJson(plan, result).ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        }

        var json = MigrationReport.ToJson(plan, result);
        if (reportFile is not null)
        {
            await File.WriteAllTextAsync(reportFile, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        }

        if (context.Json)
        {
            context.WriteJson(json);
        }
        else
        {
            MigrationReport.WriteText(context, plan, result);
        }

        return ExitCodes.Ok;
    }

    private static int Convert(CliContext context, string file, string? owner, string? output)
    {
        if (!File.Exists(file))
        {
            throw new CliException(ExitCodes.NotFound, $"{file} does not exist.");
        }

        var warnings = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var people = ForkIdentities.Read(file, owner, taken, warnings).Where(p => p.Accounts.Count > 0 || Warn(warnings, $"{p.Key} has no platforms: left out (a profile needs an account).")).ToList();
        var yaml = IdentitiesYamlWriter.Write(people, Path.GetFullPath(file));
        if (output is not null)
        {
            if (File.Exists(output))
            {
                throw new CliException(ExitCodes.Problems, $"{output} already exists: give a new file name.");
            }

            File.WriteAllText(output, yaml);
        }

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["file"] = file,
                ["people"] = people.Count,
                ["out"] = output,
                ["yaml"] = output is null ? yaml : null,
                ["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode)w)]),
            });
        }
        else
        {
            if (output is null)
            {
                context.Out.Write(yaml);
            }
            else
            {
                context.Line($"Wrote {output} ({people.Count} people).");
            }

            foreach (var warning in warnings)
            {
                context.Error.WriteLine("warning: " + warning);
            }
        }

        return ExitCodes.Ok;
    }

    private static bool Warn(List<string> warnings, string warning)
    {
        warnings.Add(warning);
        return false;
    }

    private static (string Platform, string UserId) ParseAccount(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < text.Length - 1
            ? (text[..colon], text[(colon + 1)..])
            : throw new ArgumentException($"--owner-account takes PLATFORM:ID (telegram:732113076), not '{text}'.");
    }
}
