using System.CommandLine;

namespace Hermes.Identity.Cli.Commands;

/// <summary>The command tree of <c>hermes-identity</c>.</summary>
internal static class CliCommands
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "hermes-identity: look after a Hermes.Identity data root (who is who, what they may do, pairing, approvals, grants, the audit file, a person's data) and migrate a Hermes home into it. Exit codes: 0 ok, 1 problems found or refused, 2 usage, 3 not found, 4 configuration, 5 storage failure.");
        root.Options.Add(CommonOptions.Root);
        root.Options.Add(CommonOptions.Json);
        root.Options.Add(CommonOptions.As);
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(WhoisCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(PairCommand.Create());
        root.Subcommands.Add(ApprovalsCommand.Create());
        root.Subcommands.Add(GrantsCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(EraseCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        return root;
    }
}
