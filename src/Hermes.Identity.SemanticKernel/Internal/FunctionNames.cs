using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel;

namespace Hermes.Identity.SemanticKernel.Internal;

// The one spelling of a kernel function's name that the gate is asked about: "Plugin.function", or the bare name of a
// function that belongs to no plugin. identities.yaml lists it so under tools:, and the core's gate also answers that
// entry for "Plugin_function" and "Plugin-function" (the names M.E.AI and SK's connectors send), so every path agrees.
// A function's qualified name is made once and kept with the function (checked against its current plugin name and
// name, which SK lets a host change), since it is asked for at every request and every call.
internal static class FunctionNames
{
    private static readonly ConditionalWeakTable<KernelFunction, Qualified> Known = [];

    public static string Of(KernelFunction function)
    {
        var plugin = function.PluginName;
        var name = function.Name;
        if (string.IsNullOrEmpty(plugin))
        {
            return name;
        }

        if (Known.TryGetValue(function, out var known) && ReferenceEquals(known.Plugin, plugin) && ReferenceEquals(known.Name, name))
        {
            return known.Value;
        }

        var value = Of(plugin, name);
        Known.AddOrUpdate(function, new Qualified(plugin, name, value));
        return value;
    }

    public static string Of(string? pluginName, string functionName) =>
        string.IsNullOrEmpty(pluginName) ? functionName : string.Concat(pluginName, ".", functionName);

    private sealed record Qualified(string Plugin, string Name, string Value);
}
