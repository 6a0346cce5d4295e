using System.CommandLine;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Hosting;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.PersonalData;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>export PROFILE --out FILE.zip</c>: one person's sessions, memory and workspace, as the operator.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var profile = new Argument<string>("PROFILE") { Description = "Whose data." };
        var output = new Option<string>("--out") { Description = "The zip file to write (new, outside the data root).", Required = true, HelpName = "FILE.zip" };
        var command = new Command("export", "Export one person's data (sessions/state.db, memories/, workspace/) to a zip file. Acts as the operator (--as), who needs profile.export.");
        command.Arguments.Add(profile);
        command.Options.Add(output);
        CommandRunner.Set(command, (parse, context, ct) => RunAsync(context, parse.GetValue(profile)!, parse.GetValue(output)!, ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string key, string output, CancellationToken cancellationToken)
    {
        var zip = Path.GetFullPath(output);
        if (File.Exists(zip) || Directory.Exists(zip))
        {
            throw new CliException(ExitCodes.Problems, $"{zip} already exists: give a new file name.");
        }

        if (zip.StartsWith(context.Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new CliException(ExitCodes.Problems, $"{zip} is inside the data root: write the export outside it, so it never lands in someone's workspace.");
        }

        await using var data = await DataRoot.OpenAsync(context.Root).ConfigureAwait(false);
        data.RequireProfile(key);
        var staging = Directory.CreateTempSubdirectory("hermes-identity-export-");
        try
        {
            var folder = Path.Combine(staging.FullName, key);
            var export = await OperatorTurn.RunAsync(data, context.OperatorKey, async turn =>
                await turn.Service<ProfileData>().ExportAsync(key, folder, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
            await ZipFile.CreateFromDirectoryAsync(folder, zip, CompressionLevel.Optimal, includeBaseDirectory: false, cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["profile"] = key,
                    ["file"] = zip,
                    ["files"] = export.Files,
                    ["bytes"] = export.Bytes,
                    ["skipped"] = new JsonArray([.. export.Skipped.Select(s => (JsonNode)s)]),
                });
            }
            else
            {
                context.Line($"Exported {export.Files} file(s), {export.Bytes} bytes of {key}'s data to {zip}.");
                foreach (var skipped in export.Skipped)
                {
                    context.Line("skipped: " + skipped);
                }
            }

            return ExitCodes.Ok;
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }
}
