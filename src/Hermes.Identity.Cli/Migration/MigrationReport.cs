using System.Text.Json.Nodes;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Migration;

/// <summary>The migration's report, as JSON (written to a file and printed with --json) and as text.</summary>
internal static class MigrationReport
{
    public static JsonObject ToJson(MigrationPlan plan, MigrationResult? result)
    {
        var state = plan.State;
        var planned = plan.Sessions.Where(s => s.ProfileKey is not null).ToList();
        return new JsonObject
        {
            ["home"] = plan.Options.Home,
            ["root"] = plan.Options.Root,
            ["applied"] = result is not null,
            ["schema_version"] = plan.SchemaVersion,
            ["identities_yaml"] = plan.NewIdentitiesYaml is null ? "kept" : result?.WroteIdentities == true ? "written" : "to write",
            ["people"] = new JsonArray([.. plan.People.Select(p => (JsonNode)Person(p))]),
            ["people_to_add"] = new JsonArray([.. plan.PeopleToAdd.Select(p => (JsonNode)Person(p))]),
            ["memory"] = new JsonObject
            {
                ["MEMORY.md"] = Memory(plan.Notes, result?.NotesImported),
                ["USER.md"] = Memory(plan.User, result?.UserImported),
            },
            ["sessions"] = new JsonObject
            {
                ["rows"] = state?.SessionRows ?? 0,
                ["conversations"] = state?.Sessions.Count ?? 0,
                ["chains_merged"] = state?.ChainsMerged ?? 0,
                ["empty_skipped"] = state?.EmptySessions ?? 0,
                ["inactive_messages_skipped"] = state?.SkippedInactive ?? 0,
                ["compacted_messages_skipped"] = state?.SkippedCompacted ?? 0,
                ["by_profile"] = ByProfile(planned.GroupBy(s => s.ProfileKey!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal)),
                ["messages"] = planned.Sum(s => s.Session.Messages.Count),
                ["unassigned"] = new JsonArray([.. plan.Sessions.Where(s => s.ProfileKey is null).Select(s => (JsonNode)new JsonObject
                {
                    ["session"] = s.Session.Id,
                    ["source"] = s.Session.Source,
                    ["user_id"] = s.Session.UserId,
                    ["messages"] = s.Session.Messages.Count,
                    ["reason"] = s.Reason,
                })]),
            },
            ["imported"] = result is null ? null : new JsonObject
            {
                ["sessions_by_profile"] = ByProfile(result.SessionsByProfile),
                ["messages"] = result.Messages,
                ["tool_calls"] = result.ToolCalls,
                ["messages_skipped"] = result.MessagesSkipped,
                ["memory_refused"] = new JsonArray([.. result.MemoryRefused.Select(m => (JsonNode)m)]),
                ["report_file"] = result.ReportFile,
            },
            ["warnings"] = new JsonArray([.. plan.Warnings.Select(w => (JsonNode)w)]),
        };
    }

    public static void WriteText(CliContext context, MigrationPlan plan, MigrationResult? result)
    {
        var state = plan.State;
        context.Line(result is null
            ? $"Dry run: nothing was written. Migrating {plan.Options.Home} into {plan.Options.Root} would do this (add --apply to do it):"
            : $"Migrated {plan.Options.Home} into {plan.Options.Root}.");
        context.Line($"Hermes state.db schema version: {(state is null ? "no state.db" : plan.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        context.Line(plan.NewIdentitiesYaml is null
            ? "identities.yaml: kept as it is."
            : $"identities.yaml: {(result is null ? "to write" : "written")} with {plan.People.Count} people.");
        var people = new TextTable("profile", "role", "accounts", "from");
        foreach (var p in plan.People)
        {
            people.Add(p.Key, p.Role, string.Join(", ", p.Accounts.Select(a => $"{a.Platform}:{a.UserId}")), p.Origin);
        }

        people.WriteTo(context.Out);
        foreach (var p in plan.PeopleToAdd)
        {
            context.Line($"to add by hand: {p.Key} ({p.Role}) {string.Join(", ", p.Accounts.Select(a => $"{a.Platform}:{a.UserId}"))} from {p.Origin}");
        }

        foreach (var (name, file, imported) in new[] { ("MEMORY.md", plan.Notes, result?.NotesImported), ("USER.md", plan.User, result?.UserImported) })
        {
            context.Line($"{name}: {file.Entries.Count} entries{(imported is { } n ? $", {n} imported" : string.Empty)}, {file.DuplicatesDropped} duplicate(s) dropped, {file.OverLimit.Count} over the {file.Limit:N0}-character limit.");
            foreach (var over in file.OverLimit)
            {
                context.Line($"  over the limit, not imported: {(over.Length <= 70 ? over : over[..67] + "...")}");
            }
        }

        if (state is not null)
        {
            context.Line($"Sessions: {state.SessionRows} rows, {state.Sessions.Count} conversations ({state.ChainsMerged} compression chain(s) merged, {state.EmptySessions} empty skipped); {state.SkippedInactive} inactive and {state.SkippedCompacted} compacted message(s) skipped.");
            var planned = result?.SessionsByProfile ?? plan.Sessions.Where(s => s.ProfileKey is not null).GroupBy(s => s.ProfileKey!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            foreach (var (key, count) in planned.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                context.Line($"  {key}: {count} session(s)");
            }

            foreach (var s in plan.Sessions.Where(s => s.ProfileKey is null))
            {
                context.Line($"  not imported: session {s.Session.Id} ({s.Session.Messages.Count} messages): {s.Reason}");
            }
        }

        if (result is not null)
        {
            context.Line($"Imported {result.Messages} message(s) ({result.ToolCalls} tool call(s)); {result.MessagesSkipped} skipped.");
            foreach (var refused in result.MemoryRefused)
            {
                context.Line("memory refused: " + refused);
            }

            if (result.ReportFile is not null)
            {
                context.Line("Report: " + result.ReportFile);
            }
        }

        foreach (var warning in plan.Warnings)
        {
            context.Line("warning: " + warning);
        }
    }

    private static JsonObject Person(PlannedPerson p) => new()
    {
        ["key"] = p.Key,
        ["display_name"] = p.DisplayName,
        ["role"] = p.Role,
        ["accounts"] = new JsonArray([.. p.Accounts.Select(a => (JsonNode)$"{a.Platform}:{a.UserId}")]),
        ["origin"] = p.Origin,
    };

    private static JsonObject Memory(HermesMemoryFile file, int? imported) => new()
    {
        ["entries"] = file.Entries.Count,
        ["imported"] = imported,
        ["duplicates_dropped"] = file.DuplicatesDropped,
        ["limit"] = file.Limit,
        ["over_limit"] = new JsonArray([.. file.OverLimit.Select(e => (JsonNode)e)]),
    };

    private static JsonObject ByProfile(IReadOnlyDictionary<string, int> counts)
    {
        var json = new JsonObject();
        foreach (var (key, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            json[key] = count;
        }

        return json;
    }
}
