using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace SemanticKernelSample;

/// <summary>The bot's terminal plugin (it only pretends to run the command).</summary>
public sealed class Shell
{
    private static int _runs;

    /// <summary>How many times the terminal ran.</summary>
    public static int Runs => Volatile.Read(ref _runs);

    [KernelFunction("terminal"), Description("Runs a shell command.")]
    public static string Terminal(string command)
    {
        Interlocked.Increment(ref _runs);
        return $"$ {command}\n up 3 days";
    }
}
