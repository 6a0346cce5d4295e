using System.CommandLine;
using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Doctor;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>doctor</c>: the data root's health. Exit 1 when a check fails (warnings alone exit 0).</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var max = new Option<int?>("--max-open-databases") { Description = "The host's SqliteSessionOptions.MaxOpenDatabases, to check against the file limit (default: the library's default).", HelpName = "N" };
        var command = new Command("doctor", "Check the data root: permissions, identities.yaml (and symbolic links to it), stale temporary files, every database's integrity, a Hermes state.db in a profile's place, the open-database bound against the file limit. Changes nothing.");
        command.Options.Add(max);
        CommandRunner.Set(command, (parse, context, _) => Task.FromResult(Run(context, parse.GetValue(max) ?? DataRootDoctor.DefaultMaxOpenDatabases)));
        return command;
    }

    private static int Run(CliContext context, int maxOpenDatabases)
    {
        var findings = new DataRootDoctor(context.Root, maxOpenDatabases, DateTimeOffset.UtcNow).Run();
        var failed = findings.Count(f => f.Status == DoctorStatus.Failure);
        var warned = findings.Count(f => f.Status == DoctorStatus.Warning);
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["root"] = context.Root,
                ["healthy"] = failed == 0,
                ["failures"] = failed,
                ["warnings"] = warned,
                ["checks"] = new JsonArray([.. findings.Select(f => (JsonNode)new JsonObject
                {
                    ["check"] = f.Check,
                    ["status"] = f.Status switch { DoctorStatus.Ok => "ok", DoctorStatus.Warning => "warning", _ => "failure" },
                    ["detail"] = f.Detail,
                })]),
            });
        }
        else
        {
            foreach (var f in findings)
            {
                var mark = f.Status switch { DoctorStatus.Ok => "ok  ", DoctorStatus.Warning => "WARN", _ => "FAIL" };
                context.Line($"{mark} {f.Check}: {f.Detail}");
            }

            context.Line(failed == 0 ? $"Healthy ({warned} warning(s))." : $"{failed} failure(s), {warned} warning(s).");
        }

        return failed == 0 ? ExitCodes.Ok : ExitCodes.Problems;
    }
}
