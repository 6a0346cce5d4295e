using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Identity.Audit;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary><c>audit verify [--anchor HASH]</c>: checks the hash chain of the decision log.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "The hash-chained decision log (audit/decisions.jsonl, written when PolicyOptions.WriteAuditFile is on).");
        var anchor = new Option<string?>("--anchor") { Description = "A hash noted earlier (the last hash of a past verify): the log must still hold that record, so nothing up to it was cut or rewritten.", HelpName = "HASH" };
        var file = new Option<string?>("--file") { Description = "The log file. Default: audit/decisions.jsonl in the data root.", HelpName = "FILE" };
        var verify = new Command("verify", "Check every record's hash and link; exit 1 when the chain is broken or the anchor is missing.");
        verify.Options.Add(anchor);
        verify.Options.Add(file);
        CommandRunner.Set(verify, (parse, context, _) => Task.FromResult(Verify(context, parse.GetValue(file), parse.GetValue(anchor))));
        command.Subcommands.Add(verify);
        return command;
    }

    private static int Verify(CliContext context, string? file, string? anchor)
    {
        var path = Path.GetFullPath(file ?? Path.Combine(context.Root, "audit", "decisions.jsonl"));
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.NotFound, $"{path} does not exist. The audit file is written only with ConfigurePolicy(o => o.WriteAuditFile = true).");
        }

        var result = DecisionLogVerifier.Verify(path);
        var problems = result.Problems.ToList();
        bool? anchorFound = null;
        if (anchor is not null)
        {
            anchorFound = HoldsHash(path, anchor.Trim());
            if (anchorFound == false)
            {
                problems.Add($"No record has the anchor hash {anchor}: the log was cut or rewritten up to that record, or the anchor is from another log.");
            }
        }

        var ok = result.IsIntact && anchorFound != false;
        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["file"] = path,
                ["intact"] = ok,
                ["records"] = result.RecordCount,
                ["last_hash"] = result.LastHash,
                ["torn_last_line"] = result.HasTornLastLine,
                ["anchor"] = anchor,
                ["anchor_found"] = anchorFound,
                ["problems"] = new JsonArray([.. problems.Select(p => (JsonNode)p)]),
            });
        }
        else
        {
            context.Line($"{path}: {result.RecordCount} record(s), {(ok ? "intact" : "NOT intact")}.");
            context.Line("Last hash: " + result.LastHash + "  (keep it: verify --anchor it later)");
            if (result.HasTornLastLine)
            {
                context.Line("The last line is torn (a write cut short by a crash); the library cuts it on its next write.");
            }

            if (anchorFound == true)
            {
                context.Line($"Anchor {anchor} found: nothing up to it was changed.");
            }

            foreach (var problem in problems)
            {
                context.Line("problem: " + problem);
            }
        }

        return ok ? ExitCodes.Ok : ExitCodes.Problems;
    }

    private static bool HoldsHash(string path, string anchor)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (!line.Contains(anchor, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("hash", out var hash) && string.Equals(hash.GetString(), anchor, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            catch (JsonException)
            {
                // A torn or damaged line: the verifier reports it.
            }
        }

        return false;
    }
}
