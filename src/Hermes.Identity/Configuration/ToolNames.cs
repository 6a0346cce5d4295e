namespace Hermes.Identity.Configuration;

// How a qualified tool name is written on each stack's wire. identities.yaml lists a Semantic Kernel plugin's function
// or an MCP server's tool as "Plugin.function"; Semantic Kernel hands it to models as "Plugin_function" (or
// "Plugin-function" in older versions), so those two spellings answer for the entry too.
internal static class ToolNames
{
    /// <summary>The other spellings of a qualified name: every '.' as '_', and every '.' as '-'. None for a bare name.</summary>
    public static string[] WireAliases(string qualifiedName) =>
        qualifiedName.Contains('.', StringComparison.Ordinal)
            ? [qualifiedName.Replace('.', '_'), qualifiedName.Replace('.', '-')]
            : [];
}
