using Microsoft.SemanticKernel;

namespace Hermes.Identity.SemanticKernel.Internal;

// The one spelling of a kernel function's name that the gate is asked about: "Plugin.function", or the bare name of a
// function that belongs to no plugin. identities.yaml lists it so under tools:, and the core's gate also answers that
// entry for "Plugin_function" and "Plugin-function" (the names M.E.AI and SK's connectors send), so every path agrees.
internal static class FunctionNames
{
    public static string Of(KernelFunction function) => Of(function.PluginName, function.Name);

    public static string Of(string? pluginName, string functionName) =>
        string.IsNullOrEmpty(pluginName) ? functionName : string.Concat(pluginName, ".", functionName);
}
