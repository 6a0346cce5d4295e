using Microsoft.SemanticKernel;

namespace Hermes.Identity.SemanticKernel.Tests;

// The conformance suite's tools as Semantic Kernel functions of one plugin, "Conformance". Each takes the turn's
// services from KernelArguments.Services, where the Hermes filters put them for an allowed call.
internal static class KernelTools
{
    public const string Plugin = "Conformance";

    public static IEnumerable<KernelFunction> AsFunctions(IEnumerable<ConformanceTool> tools) => tools.Select(AsFunction);

    public static KernelFunction AsFunction(ConformanceTool tool) =>
        KernelFunctionFactory.CreateFromMethod(
            async (string? text, KernelArguments arguments) => await tool.RunAsync(arguments.Services, text),
            tool.Name,
            tool.Description);

    // "Conformance-read_file" (SK's OpenAI connector) or "Conformance_read_file" (M.E.AI) → "Conformance.read_file",
    // as tools: lists it.
    public static string Listed(string wireName, string plugin = Plugin) =>
        wireName.Length > plugin.Length && wireName.StartsWith(plugin, StringComparison.Ordinal) && wireName[plugin.Length] is '-' or '_'
            ? plugin + "." + wireName[(plugin.Length + 1)..]
            : wireName;
}
