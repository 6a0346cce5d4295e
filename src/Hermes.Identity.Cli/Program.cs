using System.CommandLine;
using Hermes.Identity.Cli.Commands;
using Hermes.Identity.Cli.Output;

namespace Hermes.Identity.Cli;

/// <summary>The <c>hermes-identity</c> tool's entry point: parses the command line and runs one command.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        Console.OutputEncoding = System.Text.Encoding.UTF8;
        var root = CliCommands.Build();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'hermes-identity --help' (or 'hermes-identity <command> --help') for the usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, CancellationToken.None).ConfigureAwait(false);
    }
}
