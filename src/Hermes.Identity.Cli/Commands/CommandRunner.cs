using System.CommandLine;
using Hermes.Identity.Cli.Output;
using Hermes.Identity.Sessions;
using Hermes.Identity.State;
using Microsoft.Extensions.Options;

namespace Hermes.Identity.Cli.Commands;

/// <summary>Runs a command's body and turns what it throws into a message on standard error and an exit code.</summary>
internal static class CommandRunner
{
    public static void Set(Command command, Func<ParseResult, CliContext, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));

    private static async Task<int> RunAsync(ParseResult parse, Func<ParseResult, CliContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var context = CommonOptions.ContextFor(parse);
        try
        {
            return await body(parse, context, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            return Fail(context, ex.ExitCode, ex.Message);
        }
        catch (IdentityConfigException ex)
        {
            return Fail(context, ExitCodes.Configuration, ex.Message);
        }
        catch (OptionsValidationException ex)
        {
            return Fail(context, ExitCodes.Configuration, ex.Message);
        }
        catch (AccessDeniedException ex)
        {
            return Fail(context, ExitCodes.Problems, $"Refused: {ex.Decision.Reason}");
        }
        catch (PairingException ex)
        {
            return Fail(context, ex.Reason is PairingRefusal.UnknownCode or PairingRefusal.UnknownProfile or PairingRefusal.NotPaired or PairingRefusal.NotKnown ? ExitCodes.NotFound : ExitCodes.Problems, ex.Message);
        }
        catch (SessionNotFoundException ex)
        {
            return Fail(context, ExitCodes.NotFound, ex.Message);
        }
        catch (Exception ex) when (ex is SessionStoreException or StateStoreException or IOException or UnauthorizedAccessException)
        {
            return Fail(context, ExitCodes.Failure, ex.Message);
        }
        catch (ArgumentException ex)
        {
            return Fail(context, ExitCodes.Usage, ex.Message);
        }
    }

    private static int Fail(CliContext context, int code, string message)
    {
        context.Error.WriteLine("error: " + message);
        return code;
    }
}
