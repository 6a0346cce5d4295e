using System.ComponentModel;
using Hermes.Identity.Workspace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace SemanticKernelSample;

/// <summary>Reads files from the caller's own workspace: the turn's services come in KernelArguments.Services.</summary>
public sealed class Files
{
    [KernelFunction("read_file"), Description("Reads a file from your workspace.")]
    public static async Task<string> ReadFileAsync(string path, KernelArguments arguments)
    {
        var workspace = arguments.Services!.GetRequiredService<IWorkspace>();
        return await workspace.ReadAllTextAsync(path);
    }
}
