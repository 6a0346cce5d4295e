namespace Hermes.Identity.Cli.Output;

/// <summary>The tool's exit codes (docs/cli.md lists them).</summary>
internal static class ExitCodes
{
    /// <summary>Done; nothing wrong found.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and found problems, or the operation was refused (by the policy, by the operator, or because Hermes runs).</summary>
    public const int Problems = 1;

    /// <summary>The command line is wrong: unknown command or option, a missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>Something named on the command line does not exist: a profile, an account, a code, a request, a file.</summary>
    public const int NotFound = 3;

    /// <summary>The data root cannot be used: identities.yaml is missing or invalid, or the options are refused.</summary>
    public const int Configuration = 4;

    /// <summary>A storage or file-system failure (the message names the file and what to do).</summary>
    public const int Failure = 5;
}
