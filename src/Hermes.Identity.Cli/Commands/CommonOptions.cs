using System.CommandLine;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli.Commands;

/// <summary>The options every command takes: <c>--root</c>, <c>--json</c>, <c>--as</c>.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Root = new("--root")
    {
        Description = "The data root (the folder with identities.yaml). Default: the current folder.",
        Recursive = true,
        HelpName = "DIR",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print one JSON document on standard output, for scripts.",
        Recursive = true,
    };

    public static readonly Option<string?> As = new("--as")
    {
        Description = "The profile operator commands act as. Default: the one profile with role owner.",
        Recursive = true,
        HelpName = "KEY",
    };

    public static CliContext ContextFor(ParseResult parse) => new(
        parse.GetValue(Root) ?? Directory.GetCurrentDirectory(),
        parse.GetValue(Json),
        parse.GetValue(As),
        Console.Out,
        Console.Error,
        Console.In);
}
